// Polls a session's print run and shows its progress; reloads the page (with the download links) when it ends.
(function () {
  "use strict";
  const box = document.getElementById("print");
  if (!box || box.dataset.running !== "true") return;
  const bar = document.getElementById("print-progress");
  const status = document.getElementById("print-status");

  async function poll() {
    let data;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (err) {
      setTimeout(poll, 3000);
      return;
    }
    if (!data.running) {
      window.location.reload();
      return;
    }
    bar.hidden = false;
    bar.max = data.total || 1;
    bar.value = Math.min(data.done, bar.max);
    const label = data.stage === "zip" ? box.dataset.labelZip : box.dataset.labelPages;
    status.textContent = (label || "") + " " + data.done + " / " + (data.total || "…");
    setTimeout(poll, 1000);
  }
  poll();
})();

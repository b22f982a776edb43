// Polls the batch progress of a session's certificates and shows it; reloads the lists when a run ends.
(function () {
  "use strict";
  const box = document.getElementById("issue");
  if (!box) return;
  const url = box.dataset.progressUrl;
  const bar = document.getElementById("issue-progress");
  const status = document.getElementById("issue-status");
  const count = document.getElementById("issued-count");
  let wasRunning = box.dataset.running === "true";

  async function poll() {
    let data;
    try {
      const response = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (err) {
      setTimeout(poll, 3000);
      return;
    }
    count.textContent = String(data.issued);
    if (data.running) {
      wasRunning = true;
      bar.hidden = false;
      const total = data.total || data.eligible || 1;
      bar.max = total;
      bar.value = Math.min(data.done, total);
      const stage = data.stage === "render" ? (box.dataset.labelRender || "") : (box.dataset.labelClaim || "");
      status.textContent = stage + " " + data.done + " / " + total;
      setTimeout(poll, 1000);
    } else if (wasRunning) {
      window.location.reload();
    }
  }
  if (wasRunning) poll();
})();

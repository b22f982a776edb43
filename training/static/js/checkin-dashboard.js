/* Live block dashboard: polls the block's attendance every 10 seconds and redraws the figures and tables. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;
  var blockId = root.getAttribute("data-block");
  function cell(row, text, cls) {
    var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; row.appendChild(td); return td;
  }
  function fill(tbody, rows, draw) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (r) { var tr = document.createElement("tr"); draw(tr, r); tbody.appendChild(tr); });
  }
  function render(d) {
    document.getElementById("d-checked").textContent = d.checked_in;
    document.getElementById("d-expected").textContent = d.expected;
    document.getElementById("d-missing-count").textContent = d.missing.length;
    document.getElementById("d-updated").textContent = d.generated_local;
    var pct = d.expected ? Math.min(100, Math.round((d.checked_in / d.expected) * 100)) : 0;
    document.getElementById("d-progress").style.width = pct + "%";
    fill(document.getElementById("d-counties"), d.by_county, function (tr, c) {
      cell(tr, c.county); cell(tr, c.checked_in, "num"); cell(tr, c.expected, "num");
    });
    fill(document.getElementById("d-missing"), d.missing, function (tr, m) {
      cell(tr, m.name); cell(tr, m.county); cell(tr, m.school);
      var td = cell(tr, ""), a = document.createElement("a");
      a.href = "tel:" + m.phone; a.textContent = m.phone; td.appendChild(a);
    });
    var link = document.getElementById("d-badges-missing");
    if (link) {
      link.href = link.getAttribute("data-base") + d.missing.map(function (m) { return m.enrollment_id; }).join(",");
      link.hidden = d.missing.length === 0;  // nobody missing: nothing to print (the server says so too)
    }
    root.setAttribute("data-refreshed", String(Date.now()));
  }
  function poll() {
    fetch("/api/v1/checkin/blocks/" + blockId + "/dashboard", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) render(d); })
      .catch(function () {});
  }
  poll();
  setInterval(poll, 10000);
})();

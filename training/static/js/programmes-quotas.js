// County quotas page: keep a running total of reserved seats against the capacity, and tick a county as
// eligible as soon as seats are typed for it. The server checks everything again; this only helps while typing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-capacity]");
  if (!form) return;
  var capacity = parseInt(form.getAttribute("data-capacity"), 10) || 0;
  var total = document.getElementById("quota-total");
  var box = document.getElementById("quota-summary");

  function update() {
    var sum = 0;
    form.querySelectorAll("input.seats").forEach(function (input) {
      var row = input.closest("tr");
      var tick = row && row.querySelector("input[type=checkbox]");
      var value = parseInt(input.value, 10);
      if (tick && tick.checked && value > 0) sum += value;
    });
    total.textContent = String(sum);
    box.classList.toggle("over", sum > capacity);
  }

  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("seats") && target.value !== "") {
      var tick = target.closest("tr").querySelector("input[type=checkbox]");
      if (tick) tick.checked = true;
    }
    update();
  });
  form.addEventListener("change", update);
  update();
})();

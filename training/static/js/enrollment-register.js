// Registration form: suggest the schools of the chosen county; tidy the ID-card number as it is typed.
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  var county = form.querySelector("#f-county");
  var school = form.querySelector("#f-school");
  function pickList() {
    if (!county || !school) return;
    var id = "schools-" + (county.value || "all");
    school.setAttribute("list", document.getElementById(id) ? id : "schools-all");
  }
  if (county) county.addEventListener("change", pickList);
  pickList();
  var idField = form.querySelector("#f-id_number");
  if (idField) {
    idField.addEventListener("input", function () {
      var cleaned = idField.value.replace(/\s+/g, "").replace(/x/g, "X");
      if (cleaned !== idField.value) idField.value = cleaned;
    });
  }
  // One tap only: a second tap on a slow connection must not send the form twice.
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });
})();

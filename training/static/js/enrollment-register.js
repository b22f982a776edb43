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
  // After a refused submit, put the cursor in the first field to fix (on a phone it may be far down the page).
  var firstError = form.querySelector(".field.has-error input, .field.has-error select");
  if (firstError) firstError.focus();
  // Once a flagged field is changed, stop shouting at it (the server checks again on submit).
  form.addEventListener("input", clearError);
  form.addEventListener("change", clearError);
  function clearError(event) {
    var box = event.target.closest(".field.has-error");
    if (!box) return;
    box.classList.remove("has-error");
    var message = box.querySelector("p.error");
    if (message) message.hidden = true;
    event.target.removeAttribute("aria-invalid");
  }
  // One tap only: a second tap on a slow connection must not send the form twice.
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });
})();

// Demand and capacity calculator: the answer follows the weekly numbers as they are typed.
// Without this file everything works the same, by the "Work it out" button.
(function () {
  "use strict";
  var form = document.querySelector(".cap-weekly-form");
  var status = document.getElementById("cap-live-status");
  // Not while the page shows a problem: the button shows it cleared, field by field.
  if (!form || !status || document.querySelector(".error-summary")) return;
  if (!window.fetch || !window.DOMParser || !window.URLSearchParams) return;
  var timer = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value.trim() !== "") params.append(field.name, field.value);
    });
    return params.toString();
  }

  function update() {
    var search = query();
    var asked = ++latest;
    fetch(form.getAttribute("action").split("#")[0] + "?" + search, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (asked !== latest) return; // a later change has been asked for
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".cap-result");
        if (!fresh) return; // a number that cannot be used yet: the button will say why
        var old = document.querySelector(".cap-result");
        if (old) {
          old.parentNode.replaceChild(document.importNode(fresh, true), old);
        } else {
          var first = document.querySelector(".cap-form-section");
          first.parentNode.insertBefore(document.importNode(fresh, true), first);
        }
        window.history.replaceState(null, "", "?" + search);
        status.textContent = "The answer above has been updated.";
      })
      .catch(function () { /* offline or refused: the button still works */ });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 500);
  });
})();

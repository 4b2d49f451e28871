// Run chart maker: small enhancements only. Without this file everything still works.
(function () {
  "use strict";
  var form = document.querySelector(".rc-form");
  if (form) {
    var file = form.querySelector("input[type=file]");
    var upload = form.querySelector("button[formmethod=post]");
    var chartRadios = form.querySelectorAll("input[name=chart]");
    var rules = form.querySelector("select[name=rules]");

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var posting = submitter && submitter.getAttribute("formmethod") === "post";
      if (!posting && file && file.files.length && upload) {
        // A file was chosen: "Draw the chart" uploads it rather than ignoring it.
        event.preventDefault();
        // A form ignores a second submission while it is firing this one: wait a tick.
        window.setTimeout(function () { upload.click(); }, 0);
        return;
      }
      if (!posting && file) {
        file.disabled = true; // keep "file=" out of the page's address
      }
    });
    window.addEventListener("pageshow", function () {
      if (file) file.disabled = false;
    });

    // Rule sets belong to a chart type: clear a choice that no longer fits.
    var fits = { run: ["", "ihi", "anhoej"], xmr: ["", "mdc7", "mdc6"] };
    function syncRules() {
      var chosen = form.querySelector("input[name=chart]:checked");
      if (!chosen || !rules) return;
      var allowed = fits[chosen.value] || [""];
      Array.prototype.forEach.call(rules.options, function (option) {
        option.disabled = allowed.indexOf(option.value) === -1;
      });
      if (allowed.indexOf(rules.value) === -1) rules.value = "";
    }
    Array.prototype.forEach.call(chartRadios, function (radio) {
      radio.addEventListener("change", syncRules);
    });
    syncRules();
  }

  // A print button next to the downloads.
  var actions = document.querySelector(".rc-actions");
  if (actions && window.print) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "rc-button";
    button.textContent = "Print the chart";
    button.addEventListener("click", function () { window.print(); });
    actions.appendChild(button);
  }
})();

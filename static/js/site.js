// Small enhancements only: everything works without this file.
(function () {
  "use strict";
  var MARGIN = 8;

  // Glossary tooltips ----------------------------------------------------------------
  // Keep an open tooltip inside the screen: shift it left (or right) by what overflows.
  function place(gloss) {
    var tip = gloss.querySelector(".term-tip");
    if (!tip) return;
    tip.style.left = "";
    var rect = tip.getBoundingClientRect();
    if (!rect.width) return;
    var width = document.documentElement.clientWidth;
    var shift = 0;
    if (rect.right > width - MARGIN) shift = width - MARGIN - rect.right;
    if (rect.left + shift < MARGIN) shift = MARGIN - rect.left;
    if (shift) tip.style.left = shift + "px";
  }
  function closeAll(except) {
    document.querySelectorAll(".gloss.tip-open").forEach(function (el) {
      if (el !== except) el.classList.remove("tip-open");
    });
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var gloss = event.target.closest && event.target.closest(".gloss");
      if (gloss) place(gloss);
      document.querySelectorAll(".gloss.tip-dismissed").forEach(function (el) {
        if (!el.contains(event.target)) el.classList.remove("tip-dismissed");
      });
    });
  });

  // On touch, the first tap on a term opens its tooltip; a second tap follows the link.
  var lastPointer = "mouse";
  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType || "mouse";
  }, true);
  document.addEventListener("click", function (event) {
    var term = event.target.closest && event.target.closest(".gloss > a.term");
    if (!term) {
      if (!(event.target.closest && event.target.closest(".term-tip"))) closeAll(null);
      return;
    }
    if (lastPointer !== "touch") return;
    var gloss = term.parentNode;
    if (gloss.classList.contains("tip-open")) return; // second tap: go to the entry
    event.preventDefault();
    closeAll(gloss);
    gloss.classList.remove("tip-dismissed");
    gloss.classList.add("tip-open");
    place(gloss);
  });

  // Escape hides an open tooltip (WCAG 1.4.13: content on hover or focus is dismissible).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".gloss:hover, .gloss:focus-within, .gloss.tip-open").forEach(function (el) {
      el.classList.remove("tip-open");
      el.classList.add("tip-dismissed");
    });
  });

  // The glossary's filter box -----------------------------------------------------------
  function startFilter() {
    var box = document.querySelector(".glossary-filter");
    if (!box) return;
    var input = box.querySelector("input");
    var count = box.querySelector(".glossary-filter-count");
    var entries = Array.prototype.slice.call(document.querySelectorAll(".glossary-entry"));
    var sections = document.querySelectorAll(".glossary-letter");
    var texts = entries.map(function (el) { return el.textContent.toLowerCase(); });
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      entries.forEach(function (el, i) {
        var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        el.hidden = !match;
        if (match) shown += 1;
      });
      sections.forEach(function (section) {
        section.hidden = !section.querySelector(".glossary-entry:not([hidden])");
      });
      count.textContent = words.length
        ? shown === 1 ? "1 term matches." : shown + " terms match."
        : "";
    });
  }

  // Back to top: only where the page is long enough to need it. ----------------------------
  function startBackToTop() {
    var link = document.querySelector(".back-to-top");
    if (!link) return;
    link.hidden = document.documentElement.scrollHeight < 2.5 * window.innerHeight;
  }

  function start() {
    startFilter();
    startBackToTop();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

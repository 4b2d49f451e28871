// Small enhancements only: everything works without this file.
// Escape hides an open glossary tooltip (WCAG 1.4.13: content on hover or focus is dismissible).
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".gloss:hover, .gloss:focus-within").forEach(function (el) {
    el.classList.add("tip-dismissed");
  });
});
document.addEventListener("focusin", function (event) {
  document.querySelectorAll(".gloss.tip-dismissed").forEach(function (el) {
    if (!el.contains(event.target)) el.classList.remove("tip-dismissed");
  });
});
document.addEventListener("mouseover", function (event) {
  document.querySelectorAll(".gloss.tip-dismissed").forEach(function (el) {
    if (!el.contains(event.target)) el.classList.remove("tip-dismissed");
  });
});

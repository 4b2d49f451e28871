// Small enhancements for training modules; everything works without this file.
// 1. On a handout: a Print button (the page tells everyone how to print without it).
// 2. On a module page: drag an item to a new place. It posts the same form as the
//    Move up / Move down buttons would, with the new position, so the server still
//    checks the version and nothing is changed in the page until it has answered.
(function () {
  "use strict";

  var printButton = document.querySelector(".print-button");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var list = document.querySelector(".mod-items[data-sortable]");
  var module = document.querySelector(".module[data-version]");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!list || !module || !token) return;

  var items = Array.prototype.slice.call(list.querySelectorAll(".mod-item[data-move-url]"));
  if (items.length < 2) return;
  var dragged = null;

  function clearTargets() {
    items.forEach(function (item) { item.classList.remove("drop-target"); });
  }

  function move(item, position) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = item.getAttribute("data-move-url");
    [["csrfmiddlewaretoken", token.value], ["version", module.getAttribute("data-version")],
     ["position", String(position)]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  items.forEach(function (item) {
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.id);
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("is-dragging");
      clearTargets();
      dragged = null;
    });
    item.addEventListener("dragover", function (event) {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      clearTargets();
      item.classList.add("drop-target");
    });
    item.addEventListener("drop", function (event) {
      if (!dragged || dragged === item) return;
      event.preventDefault();
      move(dragged, items.indexOf(item) + 1);
    });
  });
})();

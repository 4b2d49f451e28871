// The local example form: when the guide changes, the section list shows that guide's
// sections and its tools come first, the others under "Show all tools"; when the guide
// or the ticked tools change, the step list offers the steps of the guide's tools and of
// the ticked ones (as the server does). Without this file the "Show this guide's
// sections and tools" button does the same on the server.
(function () {
  var data = document.getElementById("guide-choices");
  var guide = document.getElementById("id_guide");
  var section = document.getElementById("id_section_anchor");
  var fieldset = document.querySelector(".tools-field");
  if (!data || !guide || !section || !fieldset) return;
  var choices = JSON.parse(data.getAttribute("data-choices"));
  var steps = JSON.parse(data.getAttribute("data-steps") || '{"tools": {}, "kept": ""}');
  var stepList = document.getElementById("id_tool_step");
  var button = document.querySelector(".choose-guide");
  if (button) button.hidden = true;
  var mine = fieldset.querySelector('[data-tools="guide"]');
  var mineList = mine.querySelector("ul");
  var all = fieldset.querySelector(".all-tools");
  var allList = all.querySelector("ul");
  var items = {};
  fieldset.querySelectorAll("li[data-tool]").forEach(function (li) {
    items[li.getAttribute("data-tool")] = li;
  });
  var order = Array.prototype.map.call(allList.querySelectorAll("li[data-tool]"), function (li) {
    return li.getAttribute("data-tool");
  });
  Array.prototype.forEach.call(mineList.querySelectorAll("li[data-tool]"), function (li) {
    order.push(li.getAttribute("data-tool"));
  });
  // The library's A to Z order for "all tools", as the server lists them.
  order.sort(function (a, b) {
    return items[a].textContent.trim().localeCompare(items[b].textContent.trim());
  });

  function update() {
    var chosen = choices[guide.value] || { sections: [], tools: [] };
    var current = section.value;
    while (section.options.length > 1) section.remove(1);
    chosen.sections.forEach(function (pair) {
      var option = new Option(pair[1], pair[0]);
      if (pair[0] === current) option.selected = true;
      section.add(option);
    });
    var theirs = {};
    chosen.tools.forEach(function (id) {
      theirs[id] = true;
      if (items[id]) mineList.appendChild(items[id]);
    });
    var others = 0;
    var othersTicked = false;
    order.forEach(function (id) {
      if (theirs[id]) return;
      allList.appendChild(items[id]);
      others += 1;
      if (items[id].querySelector("input").checked) othersTicked = true;
    });
    mine.hidden = chosen.tools.length === 0;
    var label = guide.options[guide.selectedIndex];
    mine.querySelector("[data-guide-title]").textContent =
      label && guide.value ? "“" + label.text.replace(/^\d+\.\s*/, "") + "”" : "";
    all.querySelector("[data-other-count]").textContent = others;
    if (othersTicked || chosen.tools.length === 0) all.open = true;
  }
  function updateSteps() {
    if (!stepList) return;
    var chosen = choices[guide.value] || { sections: [], tools: [] };
    var wanted = chosen.tools.slice();
    fieldset.querySelectorAll("li[data-tool] input:checked").forEach(function (input) {
      wanted.push(input.closest("li").getAttribute("data-tool"));
    });
    if (steps.kept) wanted.push(steps.kept);
    var current = stepList.value;
    while (stepList.children.length > 1) stepList.removeChild(stepList.lastChild);
    var seen = {};
    var found = false;
    wanted.forEach(function (id) {
      var tool = steps.tools[id];
      if (seen[id] || !tool) return;
      seen[id] = true;
      var group = document.createElement("optgroup");
      group.label = tool[0];
      tool[1].forEach(function (pair) {
        var option = new Option(pair[1], pair[0]);
        if (pair[0] === current) {
          option.selected = true;
          found = true;
        }
        group.appendChild(option);
      });
      stepList.appendChild(group);
    });
    if (!found) stepList.value = "";
  }
  guide.addEventListener("change", function () {
    update();
    updateSteps();
  });
  fieldset.addEventListener("change", updateSteps);
})();

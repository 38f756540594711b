// The place picker: suggests administrative units as someone types a name, for the record's date.
// Hải Đăng's own small widget (no third-party code, no inline script). Without it the field still
// works: the server reads the name and offers a choice when the name is not sure.
//
// The text box becomes an ARIA combobox with a list box of suggestions: arrows move, Enter or a tap
// chooses, Escape closes. Choosing puts the unit's label ("Xã Thạch Thất — Thành phố Hà Nội") in the
// box and its code in the hidden field beside it; typing again clears the code.
(function () {
  "use strict";

  var DELAY = 200;
  var MIN_LENGTH = 2;
  var counter = 0;

  function dateInput(form, name) {
    if (!form || !name) return null;
    return form.querySelector('[name="' + name + '"]') || form.querySelector('[name$="-' + name + '"]');
  }

  function setUp(container) {
    var input = container.querySelector('input[type="text"]');
    var code = container.querySelector('input[type="hidden"][name$="__code"], input[data-code-sink]');
    if (!input || !code || input.dataset.pickerReady) return;
    // A list of units: the box adds each chosen unit as a line of the text area it serves.
    var target = container.dataset.unitPickerAdds ? document.getElementById(container.dataset.unitPickerAdds) : null;
    container.hidden = false;
    input.dataset.pickerReady = "1";
    counter += 1;
    var listId = (input.id || "unit-picker-" + counter) + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "unit-picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    container.appendChild(list);
    container.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      close();
      if (target) {
        var text = target.value.replace(/\s+$/, "");
        target.value = (text ? text + "\n" : "") + item.label;
        input.value = "";
        target.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      input.value = item.label;
      code.value = item.code;
      // A server-offered choice for an earlier text no longer applies.
      var choices = container.querySelector(".unit-picker-choices");
      if (choices) choices.hidden = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "unit-picker-label";
        name.textContent = item.label;
        option.appendChild(name);
        if (item.note) {
          var note = document.createElement("small");
          note.className = "unit-picker-hint";
          note.textContent = item.note;
          option.appendChild(note);
        }
        if (item.old) option.classList.add("old");
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(index);
        });
        list.appendChild(option);
      });
      status.textContent = found.length ? list.dataset.count.replace("{count}", found.length) : list.dataset.none;
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    list.dataset.count = container.dataset.countText || "{count}";
    list.dataset.none = container.dataset.noneText || "";

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      var params = new URLSearchParams({ q: text, levels: input.dataset.levels || "" });
      var day = dateInput(input.form, input.dataset.dateField);
      if (day && day.value) params.set("as_of", day.value);
      var ticket = ++asked;
      fetch(input.dataset.suggestUrl + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (data) {
          if (ticket === asked) show(data.items || []);
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      code.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= MIN_LENGTH) {
          event.preventDefault();
          ask();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (active >= 0) {
          event.preventDefault(); // choose, do not send the form yet
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  function start() {
    var pickers = document.querySelectorAll("[data-unit-picker]");
    for (var i = 0; i < pickers.length; i++) setUp(pickers[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The period picker (reporting/widgets/period_picker.html): the days of a custom range, and the note about
// them, show only when a custom range is chosen; the calendar/cut-off choice hides for a custom range.
// Without script every part is shown and the server reads what applies.
(function () {
  "use strict";

  function setUp(picker) {
    var which = picker.querySelector("[data-period-which]");
    if (!which) return;
    var custom = picker.querySelectorAll("[data-period-custom], [data-period-custom-note]");
    var form = picker.querySelector("[data-period-form]");
    var year = picker.querySelector("[data-period-year]");
    function update() {
      var isCustom = which.value === "custom";
      for (var i = 0; i < custom.length; i++) custom[i].hidden = !isCustom;
      if (form) form.closest(".period-part").hidden = isCustom;
      if (year) year.closest(".period-part").hidden = isCustom;
    }
    which.addEventListener("change", update);
    update();
  }

  function start() {
    var pickers = document.querySelectorAll("[data-period-picker]");
    for (var i = 0; i < pickers.length; i++) setUp(pickers[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

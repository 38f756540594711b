// Draws the statistics charts. No inline script (CSP): each <canvas data-chart="ID"> reads its data
// from <script type="application/json" id="ID"> written by the server, shape
// {"type": "line"|"bar", "labels": [...], "series": [{"label": "...", "data": [...]}], "horizontal": bool}.
// Lines are straight between points: a smoothed curve dips or overshoots between two equal values,
// showing figures that were never counted. Horizontal bars get the height they need, so every
// label is shown at any width (the page scrolls, the labels are never skipped).
(function () {
  "use strict";
  var palette = ["#1f5f8b", "#c0392b", "#2e8b57", "#b8860b", "#6a5acd", "#8b4513", "#008b8b", "#708090"];
  var BAR_ROW_PX = 28; // height of one row of horizontal bars with a one-line label
  var LINE_PX = 15; // each further line of a wrapped label
  var AXES_PX = 70; // legend and value axis

  // A long label in lines of at most `width` characters, broken between words, so that a unit's or
  // a category's whole name is shown beside its bar even on a phone (Chart.js clips, never wraps).
  function wrap(label, width) {
    var lines = [];
    String(label).split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= width) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines.length > 1 ? lines : String(label);
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (series, index) {
      var colour = palette[index % palette.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: spec.type === "line" ? colour : colour + "cc",
        tension: 0,
        cubicInterpolationMode: "default",
        spanGaps: false
      };
    });
    var valueAxis = spec.horizontal ? "x" : "y";
    var labelAxis = spec.horizontal ? "y" : "x";
    var scales = {};
    scales[valueAxis] = { beginAtZero: true, ticks: { precision: 0 } };
    scales[labelAxis] = { ticks: { autoSkip: false } };
    var labels = spec.labels;
    var box = canvas.parentElement;
    if (spec.horizontal && box) {
      var width = box.clientWidth < 560 ? 18 : 34;
      labels = spec.labels.map(function (label) { return wrap(label, width); });
      // Chart.js gives every row the same height: make room for the longest label in each.
      var lines = labels.reduce(function (most, label) {
        return Math.max(most, Array.isArray(label) ? label.length : 1);
      }, 1);
      box.style.height = (labels.length * (BAR_ROW_PX + (lines - 1) * LINE_PX) + AXES_PX) + "px";
    }
    new Chart(canvas, {
      type: spec.type,
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: !spec.horizontal,
        aspectRatio: 2,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        locale: document.documentElement.lang || "vi",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: scales
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();

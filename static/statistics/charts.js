// Draws the statistics charts. No inline script (CSP): each <canvas data-chart="ID"> reads its data
// from <script type="application/json" id="ID"> written by the server, shape
// {"type": "line"|"bar", "labels": [...], "series": [{"label": "...", "data": [...]}], "horizontal": bool}.
(function () {
  "use strict";
  var palette = ["#1f5f8b", "#c0392b", "#2e8b57", "#b8860b", "#6a5acd", "#8b4513", "#008b8b", "#708090"];

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
        tension: 0.2,
        spanGaps: false
      };
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: spec.horizontal ? 1.2 : 2,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { autoSkip: true } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  });
})();

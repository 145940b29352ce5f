// Draws every chart of a statistics page from the JSON next to its canvas (Chart.js is vendored).
(function () {
  "use strict";
  var palette = ["#9b1c1c", "#0b57a4", "#1d7a3a", "#b58900", "#6f42c1", "#d9480f", "#087f8c", "#5c5f66"];
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (dataset, index) {
      if (spec.type === "pie") {
        dataset.backgroundColor = spec.labels.map(function (_, i) { return palette[i % palette.length]; });
      } else {
        dataset.backgroundColor = palette[index % palette.length];
        dataset.borderColor = palette[index % palette.length];
      }
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: spec.type === "pie" || spec.datasets.length > 1 } },
        scales: spec.type === "pie" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();

// The charts of /dashboard, drawn with Chart.js from the JSON in #tl-dashboard-data. The
// tables under each chart carry the same numbers, so the page works without this script.
(function () {
  "use strict";

  var COLORS = { started: "#0d6efd", completed: "#198754", cancelled: "#adb5bd", running: "#fd7e14",
    median: "#20c997", p90: "#6f42c1" };

  // Started / completed / cancelled as stacked bars per week, and the cases running at the
  // week's end as a line over them.
  function weekly(canvas, data, lang) {
    var labels = data.labels;
    var bars = ["started", "completed", "cancelled"].map(function (name) {
      return { type: "bar", label: labels[name], backgroundColor: COLORS[name], stack: "cases", order: 2,
        data: data.weeks.map(function (w) { return w[name]; }) };
    });
    bars.push({ type: "line", label: labels.running, borderColor: COLORS.running, backgroundColor: COLORS.running,
      tension: 0.2, order: 1, data: data.weeks.map(function (w) { return w.running; }) });
    return new Chart(canvas, {
      data: { labels: data.weeks.map(function (w) { return w.label; }), datasets: bars },
      options: {
        maintainAspectRatio: false, locale: lang,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  // Median and 90th percentile per task, in hours; the tooltip shows the readable duration.
  function waiting(canvas, data, lang) {
    var labels = data.labels;
    var waits = data.waits;
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: waits.map(function (w) { return w.label; }),
        datasets: ["median", "p90"].map(function (name) {
          return { label: labels[name], backgroundColor: COLORS[name], data: waits.map(function (w) { return w[name]; }) };
        })
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, locale: lang,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (item) {
            var w = waits[item.dataIndex];
            return item.dataset.label + ": " + (item.datasetIndex === 0 ? w.median_text : w.p90_text);
          } } }
        },
        scales: { x: { beginAtZero: true, title: { display: true, text: labels.hours } } }
      }
    });
  }

  // Choosing a date means choosing "Custom dates"; another process has other versions.
  function followForm() {
    var period = document.getElementById("dashboard-period");
    ["dashboard-from", "dashboard-to"].forEach(function (id) {
      var input = document.getElementById(id);
      if (period && input) input.addEventListener("change", function () { period.value = "custom"; });
    });
    var process = document.getElementById("dashboard-process");
    var version = document.getElementById("dashboard-version");
    if (process && version) process.addEventListener("change", function () { version.value = ""; });
  }

  function sizeFrames() {
    // Heights that depend on the data come as data-chart-height: the Content-Security-Policy
    // may refuse style attributes, never styles set from a script.
    document.querySelectorAll("[data-chart-height]").forEach(function (frame) {
      frame.style.height = frame.dataset.chartHeight + "px";
    });
  }

  function draw() {
    followForm();
    sizeFrames();
    var source = document.getElementById("tl-dashboard-data");
    if (!source || typeof Chart === "undefined") return;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "en";
    var weeklyCanvas = document.getElementById("tl-chart-weekly");
    var waitingCanvas = document.getElementById("tl-chart-waiting");
    if (weeklyCanvas) weekly(weeklyCanvas, data, lang);
    if (waitingCanvas && data.waits.length) waiting(waitingCanvas, data, lang);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();

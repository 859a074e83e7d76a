// The charts of /reports, drawn with Chart.js from the JSON in #tl-report-data. The tables
// under each chart carry the same numbers, so the page works without this script.
(function () {
  "use strict";

  var STATUS_COLORS = {
    new: "#0d6efd", in_consultation: "#6f42c1", contact: "#20c997", ordered: "#198754",
    closed_no_need: "#fd7e14", closed_wrong_number: "#dc3545"
  };
  var OUTCOME_COLORS = {
    reached: "#198754", not_reached: "#adb5bd", no_need: "#fd7e14", wrong_number: "#dc3545",
    interested: "#20c997", thinking: "#0dcaf0", consulting_family: "#6f42c1", price_objection: "#ffc107",
    busy: "#6c757d", no_answer: "#ced4da", bought: "#0a5c36", bought_elsewhere: "#b02a37",
    not_interested: "#e35d6a", other: "#495057"
  };
  var FUNNEL_COLORS = ["#1f3a5f", "#0d6efd", "#20c997", "#198754"];
  var SPARE = ["#6610f2", "#d63384", "#0dcaf0", "#ffc107", "#6c757d"];

  function color(table, code, index) {
    return table[code] || SPARE[index % SPARE.length];
  }

  function named(table, code) {
    return (table && table[code]) || code;
  }

  function percent(value, lang) {
    return value === null ? "" : new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(value);
  }

  // A category axis names every bar (Chart.js skips labels it thinks crowded): the frame
  // grows with the bars, ROW_HEIGHT each, above the axis and legend.
  var ROW_HEIGHT = 30;

  function fitRows(canvas, rows, extra) {
    canvas.parentNode.style.height = Math.max(200, rows * ROW_HEIGHT + extra) + "px";
  }

  function funnel(canvas, data, labels, lang) {
    var stages = data.funnel.stages;
    fitRows(canvas, stages.length, 40);
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: stages.map(function (s) { return named(labels.stage, s.stage); }),
        datasets: [{
          data: stages.map(function (s) { return s.count; }),
          backgroundColor: stages.map(function (s, i) { return FUNNEL_COLORS[i % FUNNEL_COLORS.length]; })
        }]
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, locale: lang,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { afterLabel: function (item) { return percent(stages[item.dataIndex].of_leads, lang); } } }
        },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } }
      }
    });
  }

  function sources(canvas, data, labels, lang) {
    var report = data.sources;
    var statuses = report.statuses.filter(function (s) { return report.totals[s] > 0; });
    fitRows(canvas, report.rows.length, 90);
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: report.rows.map(function (r) { return named(labels.source, r.source); }),
        datasets: statuses.map(function (status, i) {
          return {
            label: named(labels.status, status), backgroundColor: color(STATUS_COLORS, status, i),
            data: report.rows.map(function (r) { return r.counts[status]; })
          };
        })
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, locale: lang,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { autoSkip: false } }
        }
      }
    });
  }

  // One small chart per rep (the same scale for all): a bar per day, stacked by outcome.
  function calls(box, data, labels, lang) {
    var report = data.calls;
    var dayNames = report.days.map(function (day) {
      var parts = day.split("-").map(Number);
      return new Intl.DateTimeFormat(lang, { day: "numeric", month: "numeric" })
        .format(new Date(parts[0], parts[1] - 1, parts[2]));
    });
    var perDay = {};
    var most = 1;
    report.rows.forEach(function (row) {
      perDay[row.rep + "|" + row.day] = row.counts;
      most = Math.max(most, row.total);
    });
    report.reps.forEach(function (rep) {
      var column = document.createElement("div");
      column.className = report.reps.length > 1 ? "col-12 col-lg-6" : "col-12";
      var title = document.createElement("div");
      title.className = "small fw-semibold mb-1";
      title.textContent = named(labels.people, rep);
      var frame = document.createElement("div");
      frame.className = "position-relative";
      frame.style.height = "220px";
      var canvas = document.createElement("canvas");
      frame.appendChild(canvas);
      column.appendChild(title);
      column.appendChild(frame);
      box.appendChild(column);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: dayNames,
          datasets: report.outcomes.map(function (outcome, i) {
            return {
              label: named(labels.outcome, outcome), backgroundColor: color(OUTCOME_COLORS, outcome, i),
              data: report.days.map(function (day) { var c = perDay[rep + "|" + day]; return c ? c[outcome] : 0; })
            };
          })
        },
        options: {
          maintainAspectRatio: false, locale: lang,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, suggestedMax: most, ticks: { precision: 0 } } }
        }
      });
    });
  }

  // Choosing a date means choosing "Dates below".
  function followDates() {
    var period = document.getElementById("report-period");
    ["report-from", "report-to"].forEach(function (id) {
      var input = document.getElementById(id);
      if (period && input) input.addEventListener("change", function () { period.value = "custom"; });
    });
  }

  function draw() {
    followDates();
    var source = document.getElementById("tl-report-data");
    if (!source || typeof Chart === "undefined") return;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "en";
    var labels = data.labels || {};
    var funnelCanvas = document.getElementById("tl-chart-funnel");
    var sourcesCanvas = document.getElementById("tl-chart-sources");
    var callsBox = document.getElementById("tl-chart-calls");
    if (funnelCanvas) funnel(funnelCanvas, data, labels, lang);
    if (sourcesCanvas && data.sources.rows.length) sources(sourcesCanvas, data, labels, lang);
    if (callsBox) calls(callsBox, data, labels, lang);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();

// The stylesheet and the script every HTML report carries (html_page.h). The
// script reads the chart specs from <script id="tessera-charts"> and draws them
// with Chart.js (global `Chart`, inlined before it); charts are drawn without
// animation so a screenshot taken at load shows them complete. It also makes
// tables with class "sortable" sortable and builds the explorer drop-downs.
#pragma once

namespace tessera {

inline constexpr const char* kReportCss = R"css(
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #2f6fdf; --bg: #ffffff; --band: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--band); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 28px 0 10px; font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.sub { margin: 0; color: var(--muted); }
main { padding: 0 32px 24px; max-width: 1500px; }
section { margin-bottom: 8px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 8px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 10px 0 16px; font-variant-numeric: tabular-nums; display: block; max-width: 100%; overflow-x: auto; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
td.num { text-align: right; }
th { background: var(--band); }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th.asc::after { content: " \25B2"; }
table.sortable th.desc::after { content: " \25BC"; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure.chart { margin: 8px 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
figure.chart .canvas { position: relative; height: 300px; }
.controls { margin-bottom: 6px; color: var(--muted); }
.controls select { margin: 0 12px 0 4px; }
ul.warnings li { color: #8a4b00; }
footer { padding: 12px 32px; color: var(--muted); border-top: 1px solid var(--line); font-size: 12px; }
)css";

inline constexpr const char* kReportJs = R"js(
(function () {
  "use strict";
  var palette = ["#2f6fdf", "#e0702b", "#2a9d5b", "#c23b5a", "#7b52c4", "#8c6d1f", "#1b9aaa", "#6b7280"];
  var specs = JSON.parse(document.getElementById("tessera-charts").textContent);

  function color(i) { return palette[i % palette.length]; }
  function fmt(v) {
    if (v === null || v === undefined) return "unknown";
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
    return String(Math.round(v * 1e4) / 1e4);
  }
  function axis(title, log, min, max) {
    var a = { type: log ? "logarithmic" : "linear", title: { display: true, text: title } };
    if (min !== undefined) a.min = min;
    if (max !== undefined) a.max = max;
    return a;
  }
  function xyDataset(s, i, kind) {
    var d = {
      label: s.label,
      data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }),
      borderColor: color(i), backgroundColor: color(i),
      showLine: kind !== "scatter" || !!s.dashed, stepped: kind === "step" ? "before" : false,
      pointRadius: kind === "scatter" ? 4 : 0, borderWidth: 2, tessLabels: s.labels || null
    };
    if (s.dashed) { d.borderDash = [6, 4]; d.pointRadius = kind === "scatter" ? 3 : 0; }
    return d;
  }
  function tooltip(ctx) {
    var ds = ctx.dataset, p = ctx.raw;
    var name = ds.tessLabels ? ds.tessLabels[ctx.dataIndex] : ds.label;
    if (p && typeof p === "object") return name + ": (" + fmt(p.x) + ", " + fmt(p.y) + ")";
    return ds.label + ": " + fmt(p);
  }
  function config(s) {
    var plugins = {
      title: { display: true, text: s.title },
      legend: { display: s.series.length > 1 },
      tooltip: { callbacks: { label: tooltip } }
    };
    var base = { animation: false, responsive: true, maintainAspectRatio: false, plugins: plugins };
    if (s.kind === "hbar") {
      base.indexAxis = "y";
      base.scales = { x: Object.assign(axis(s.x, false, s.ymin, s.ymax), { stacked: true }),
                      y: { stacked: true, title: { display: !!s.y, text: s.y }, ticks: { autoSkip: false } } };
      return {
        type: "bar", options: base,
        data: { labels: s.categories, datasets: s.series.map(function (d, i) {
          return { label: d.label, data: d.points, backgroundColor: color(i) }; }) }
      };
    }
    base.scales = { x: axis(s.x, s.xlog, undefined, s.xmax), y: axis(s.y, false, s.ymin, s.ymax) };
    return { type: "scatter", options: base,
             data: { datasets: s.series.map(function (d, i) { return xyDataset(d, i, s.kind); }) } };
  }

  function explorer(s, idx, canvas) {
    var controls = document.getElementById("controls-" + idx);
    var state = { x: s.x, y: s.y };
    function data() {
      var pts = [], labels = [];
      s.rows.forEach(function (r, i) {
        if (r[state.x] !== null && r[state.y] !== null) { pts.push({ x: r[state.x], y: r[state.y] }); labels.push(s.labels[i]); }
      });
      return { pts: pts, labels: labels };
    }
    var d = data();
    var chart = new Chart(canvas, {
      type: "scatter",
      data: { datasets: [{ label: s.title, data: d.pts, tessLabels: d.labels, backgroundColor: color(0), borderColor: color(0), pointRadius: 4 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 plugins: { title: { display: true, text: s.title }, legend: { display: false }, tooltip: { callbacks: { label: tooltip } } },
                 scales: { x: axis(s.columns[state.x]), y: axis(s.columns[state.y]) } }
    });
    function select(label, choices, key) {
      var span = document.createElement("label");
      span.textContent = label;
      var sel = document.createElement("select");
      choices.forEach(function (c) {
        var o = document.createElement("option");
        o.value = String(c); o.textContent = s.columns[c]; if (c === state[key]) o.selected = true;
        sel.appendChild(o);
      });
      sel.addEventListener("change", function () {
        state[key] = Number(sel.value);
        var nd = data();
        chart.data.datasets[0].data = nd.pts;
        chart.data.datasets[0].tessLabels = nd.labels;
        chart.options.scales.x.title.text = s.columns[state.x];
        chart.options.scales.y.title.text = s.columns[state.y];
        chart.update();
      });
      span.appendChild(sel);
      controls.appendChild(span);
    }
    select("x:", s.xs, "x");
    select("y:", s.ys, "y");
    return chart;
  }

  specs.forEach(function (s, i) {
    var canvas = document.getElementById("chart-" + i);
    if (!canvas) return;
    if (s.kind === "explorer") explorer(s, i, canvas);
    else new Chart(canvas, config(s));
  });

  function sortable(table) {
    var heads = table.querySelectorAll("th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var ca = a.cells[col], cb = b.cells[col];
          var ka = ca && ca.dataset.sort !== undefined ? Number(ca.dataset.sort) : null;
          var kb = cb && cb.dataset.sort !== undefined ? Number(cb.dataset.sort) : null;
          if (ka !== null && kb === null) return -1;  // unknowns last, either direction
          if (ka === null && kb !== null) return 1;
          var r = ka !== null ? ka - kb : (ca ? ca.textContent : "").localeCompare(cb ? cb.textContent : "");
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.querySelectorAll("table.sortable").forEach(sortable);
})();
)js";

}  // namespace tessera

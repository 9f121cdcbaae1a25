/**
 * The style sheet and script of `sweep.html`. Both are constants: the sweep reaches the script only
 * as the JSON of the page's `<script type="application/json" id="sweep-data">` block (html.ts), so
 * the page's Content-Security-Policy can allow exactly this script and uPlot's, by their hashes.
 *
 * The script hands html-figures.ts's arrays to uPlot (inlined by html.ts): per figure one line per
 * series with its interval as a band between two thin dashed edges (the edges are left out of the
 * legend; hovering shows `value [low–high]`), proportions on a 0–100 % axis, delays on a duration
 * axis; category parameters get one tick per value; the delay CDFs are steps on a log time axis. It
 * then marks `<body data-js="ready">`, which the browser test waits for.
 */

export const sweepCss = `
:root { --fg:#1d232a; --muted:#5d6772; --line:#d5dbe1; --panel:#f6f8fa; --bad:#c0262d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1400px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 4px 0 6px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 4px; font-weight: 600; }
.mono, code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.muted { color: var(--muted); } .bad { color: var(--bad); font-weight: 600; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); margin: 4px 0; }
.facts b { color: var(--fg); font-weight: 600; }
.cut { color: #8a5a00; background: #fff7e0; padding: 3px 8px; border-radius: 3px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 14px 18px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 8px 4px; min-width: 0; }
.figure.wide { max-width: 1000px; }
.plot { min-height: 40px; }
.uplot .u-legend { font-size: 12px; text-align: left; }
.uplot .u-legend .u-series th { font-weight: 400; }
table { border-collapse: collapse; margin: 6px 0; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

export const sweepScript = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sweep-data').textContent);
  var palette = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];
  var second = 1000, minute = 60 * second, hour = 60 * minute, day = 24 * hour;
  var durationIncrs = [1, 10, 100, second, 2 * second, 5 * second, 10 * second, 15 * second, 30 * second, minute, 2 * minute,
    5 * minute, 10 * minute, 15 * minute, 30 * minute, hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day, 30 * day, 90 * day, 365 * day];
  var logTicks = [1, 10, 100, second, 10 * second, 30 * second, minute, 5 * minute, 10 * minute, 30 * minute, hour, 3 * hour, 6 * hour, 12 * hour,
    day, 3 * day, 7 * day, 30 * day, 365 * day];
  var plots = [];
  function duration(ms) {
    if (ms == null || !isFinite(ms)) return '—';
    if (ms === 0) return '0';
    if (ms < second) return Math.round(ms) + 'ms';
    if (ms < minute) return Math.round(ms / 100) / 10 + 's';
    var units = [[day, 'd'], [hour, 'h'], [minute, 'm'], [second, 's']];
    for (var i = 0; ms < units[i][0]; i++);
    var big = Math.floor(ms / units[i][0]), next = units[i + 1], small = Math.round((ms - big * units[i][0]) / next[0]);
    if (small === Math.round(units[i][0] / next[0])) { big += 1; small = 0; }
    return big + units[i][1] + (small > 0 ? ' ' + small + next[1] : '');
  }
  function percent(p) { return p == null ? '—' : (p * 100).toFixed(1) + ' %'; }
  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  function width(el) { return Math.max(el.clientWidth, 280); }
  function mount(el, opts, rows) {
    opts.width = width(el);
    var plot = new uPlot(opts, rows, el);
    plots.push({ plot: plot, el: el });
    return plot;
  }
  function yAxis(kind) {
    return kind === 'duration'
      ? { size: 64, incrs: durationIncrs, values: function (u, splits) { return splits.map(duration); } }
      : { size: 50, values: function (u, splits) { return splits.map(function (v) { return Math.round(v * 100) + '%'; }); } };
  }
  function xAxis(f) {
    var ticks = function () { return f.xs; };
    if (f.categories) return { splits: ticks, values: function (u, splits) { return splits.map(function (i) { return f.categories[i] == null ? '' : f.categories[i]; }); } };
    return { splits: ticks };
  }
  function xRange(f) {
    var lo = f.xs[0], hi = f.xs[f.xs.length - 1], pad = f.categories ? 0.5 : Math.max((hi - lo) * 0.05, Math.abs(hi) * 0.05, 0.5);
    return [lo - pad, hi + pad];
  }
  function figure(f) {
    var fmt = f.kind === 'duration' ? duration : percent;
    var rows = [f.xs], series = [{ label: f.parameterName, value: function (u, v) { return v == null ? '—' : f.categories ? f.categories[v] : String(v); } }], bands = [];
    f.series.forEach(function (s, i) {
      var color = palette[i % palette.length], at = rows.length;
      series.push({ label: s.label, stroke: color, width: 2, points: { show: true, size: 7, fill: color },
        value: function (u, v, si, idx) { return v == null ? '—' : fmt(v) + ' [' + fmt(rows[at + 1][idx]) + '–' + fmt(rows[at + 2][idx]) + ']'; } });
      series.push({ label: 'low', stroke: rgba(color, 0.6), width: 1, dash: [4, 3], points: { show: false } });
      series.push({ label: 'high', stroke: rgba(color, 0.6), width: 1, dash: [4, 3], points: { show: false } });
      rows.push(s.value, s.low, s.high);
      bands.push({ series: [at + 2, at + 1], fill: rgba(color, 0.14) });
    });
    var plot = mount(document.getElementById(f.id), {
      height: 240, series: series, bands: bands, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: xRange(f) }, y: f.kind === 'duration' ? { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : second]; } } : { range: [0, 1] } },
      axes: [xAxis(f), yAxis(f.kind)],
    }, rows);
    plot.root.querySelectorAll('.u-legend .u-series').forEach(function (row, i) { if (i > 0 && (i - 1) % 3 !== 0) row.style.display = 'none'; });
  }
  function cdf(c) {
    var el = document.getElementById('fig-cdf');
    if (!el) return;
    var series = [{ label: 'delay', value: function (u, v) { return duration(v); } }];
    c.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: palette[i % palette.length], width: 1.5, points: { show: false },
        paths: uPlot.paths.stepped({ align: 1 }), value: function (u, v) { return percent(v); } });
    });
    var lo = c.xs[0], hi = c.xs[c.xs.length - 1];
    // Ticks at round durations, thinned so that neighbours are at least 1/8 of the axis apart.
    var ticks = function (u, axis, min, max) {
      var gap = Math.log10(max / min) / 8, kept = [];
      logTicks.forEach(function (t) {
        if (t >= min && t <= max && (kept.length === 0 || Math.log10(t / kept[kept.length - 1]) >= gap)) kept.push(t);
      });
      return kept;
    };
    mount(el, {
      height: 320, series: series, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, distr: 3, log: 10, range: [lo / 2, hi * 2] }, y: { range: [0, 1] } },
      axes: [{ splits: ticks, filter: function (u, splits) { return splits; }, values: function (u, splits) { return splits.map(duration); } }, yAxis('proportion')],
    }, [c.xs].concat(c.series.map(function (s) { return s.y; })));
  }
  data.figures.forEach(figure);
  cdf(data.cdf);
  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.plot.setSize({ width: width(p.el), height: p.plot.height }); });
  });
  document.body.setAttribute('data-js', 'ready');
})();
`;

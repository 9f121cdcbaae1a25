/**
 * The HTML report's inline style sheet and script. Both are constants: nothing from the run is
 * spliced into them (data reaches the script only through escaped `data-*` attributes), so the
 * page's Content-Security-Policy can allow exactly this script by its hash and nothing else.
 *
 * The script is progressive: the page is complete without it. With it, a toolbar appears (time
 * axis linear/log — also `?scale=log` in the address — a session filter, expand/collapse all), a link to a session opens its details,
 * and `<body data-js="ready">` tells a test the script ran.
 */

export const reportCss = `
:root { --fg:#1d232a; --muted:#5d6772; --line:#d5dbe1; --bg:#fff; --panel:#f6f8fa;
  --ok:#1f7a35; --bad:#c0262d; --accepted:#2e7d32; --deferred:#e0a000; --failed:#c62828;
  --timeout:#7b3fa0; --refused:#e65c00; --dropped:#4f5b66; --fault:#d9534f; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 4px 0 6px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 12px 0 2px; }
.mono, pre, code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 700; letter-spacing: .04em; }
.verdict.pass { background: var(--ok); } .verdict.fail { background: var(--bad); }
.facts { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); margin: 4px 0; }
.facts b { color: var(--fg); font-weight: 600; }
ul.checks { list-style: none; padding: 0; margin: 0; }
ul.checks li { padding: 5px 8px; border-left: 4px solid var(--line); margin: 3px 0; background: var(--panel); }
ul.checks li.pass { border-left-color: var(--ok); } ul.checks li.fail { border-left-color: var(--bad); background: #fdf0f0; }
.mark-ok { color: var(--ok); font-weight: 700; } .mark-bad { color: var(--bad); font-weight: 700; }
.check-detail { color: var(--muted); margin-left: 1.6em; }
table { border-collapse: collapse; margin: 6px 0; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
.cut { color: #8a5a00; background: #fff7e0; padding: 3px 8px; border-radius: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; margin: 6px 0 10px; color: var(--muted); }
.legend svg { vertical-align: middle; }
.toolbar { position: sticky; top: 0; z-index: 2; background: rgba(255,255,255,.95); border-bottom: 1px solid var(--line); padding: 6px 0; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
.toolbar button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); background: #fff; border-radius: 3px; cursor: pointer; }
.toolbar button[aria-pressed="true"] { background: #24292f; color: #fff; border-color: #24292f; }
.toolbar input { font: inherit; padding: 2px 6px; width: 240px; }
.journey { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px 10px; margin: 10px 0; }
.journey.dsn { border-color: #e4b4b4; }
.msg-id, .tag { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; }
.tag { background: #fde8e8; }
.lane { margin: 8px 0 4px; }
.lane-head { margin-bottom: 2px; }
.status, .result, .outcome, .proto, .rcode { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; color: #fff; background: var(--dropped); }
.status-delivered, .result-accepted, .outcome-closed, .rcode-ok { background: var(--accepted); }
.status-bounced, .status-lost, .result-failed, .rcode-bad, .outcome-reset { background: var(--failed); }
.status-deferred, .result-deferred { background: var(--deferred); color: #222; }
.status-rejected { background: #8e1d1d; } .status-discarded { background: #5f6b76; }
.result-timeout, .outcome-timeout { background: var(--timeout); } .result-refused, .outcome-refused { background: var(--refused); }
.result-dropped, .outcome-dropped, .outcome-open { background: var(--dropped); }
.result-suspended { background: #fff; color: var(--dropped); box-shadow: inset 0 0 0 1.5px var(--dropped); }
.proto-smtp { background: #2a5db0; } .proto-pop3 { background: #8a4fb8; } .proto-imap { background: #0f7f86; } .proto-tcp { background: #666; }
svg.timeline, svg.sequence { width: 100%; height: auto; display: block; }
svg text { font-family: system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 12px; fill: var(--fg); }
.row-label { text-anchor: end; font-size: 12px; }
.row-guide { stroke: #e6eaee; stroke-width: 1; }
.tick { stroke: #9aa4ae; } .tick-label { text-anchor: middle; font-size: 10.5px; fill: var(--muted); }
.ticks-log { display: none; } .scale-log .ticks-log { display: inline; } .scale-log .ticks-lin { display: none; }
.band { fill: var(--fault); opacity: .08; } .band.instant { opacity: .55; }
svg.faults .band, .legend-band { opacity: .35; }
.held { fill: #9fb3c8; }
.mark { stroke: #fff; stroke-width: 1.2; }
.mark.attempt { cursor: pointer; }
.result-accepted.mark { fill: var(--accepted); } .result-deferred.mark { fill: var(--deferred); } .result-failed.mark { fill: var(--failed); }
.result-timeout.mark { fill: var(--timeout); } .result-refused.mark { fill: var(--refused); } .result-dropped.mark { fill: var(--dropped); }
.result-suspended.mark { fill: #fff; stroke: var(--dropped); stroke-width: 1.5; stroke-dasharray: 2 1.5; }
.mark.submit { fill: #2a5db0; } .mark.deliver { fill: #0b5d1e; } .mark.bounce { fill: var(--bad); }
.mark.end { stroke: #8e1d1d; stroke-width: 2.5; fill: none; }
.hop { stroke: var(--accepted); stroke-width: 1.5; stroke-dasharray: 3 2; }
a:hover .mark { stroke: #000; stroke-width: 2; }
details.attempts > summary, details.transcript > summary { cursor: pointer; color: var(--muted); font-size: 13px; }
details.session { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
details.session > summary { cursor: pointer; padding: 2px 0; }
details.session[hidden] { display: none; }
.when { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: var(--muted); }
.actor { fill: var(--panel); stroke: #8c959f; } .actor-label { text-anchor: middle; font-weight: 600; }
.lifeline { stroke: #8c959f; stroke-dasharray: 4 3; }
.seq-time { text-anchor: end; font-size: 11px; fill: var(--muted); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.arrow line { stroke-width: 1.3; } .arrow text { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 11.5px; }
.arrow.from-client line { stroke: #2a5db0; } .arrow.from-client path { fill: #2a5db0; }
.arrow.from-server line { stroke: #1f7a35; } .arrow.from-server path { fill: #1f7a35; }
.arrow.more text { font-style: italic; fill: var(--muted); }
.note { fill: #fff7e0; stroke: #e0c070; } .note-label { text-anchor: middle; font-style: italic; font-size: 11.5px; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.t-client { color: #1b4a94; } .t-server { color: #175c28; } .t-note { color: #8a5a00; font-style: italic; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

export const reportScript = `(function () {
  'use strict';
  var root = document.documentElement;
  function setScale(mode) {
    root.classList.toggle('scale-log', mode === 'log');
    document.querySelectorAll('.pt').forEach(function (g) {
      g.setAttribute('transform', 'translate(' + g.getAttribute('data-x' + mode) + ' 0)');
    });
    document.querySelectorAll('.span').forEach(function (r) {
      var a = Number(r.getAttribute('data-x0' + mode)), b = Number(r.getAttribute('data-x1' + mode));
      r.setAttribute('x', String(a));
      r.setAttribute('width', String(Math.max(b - a, 1)));
    });
    document.querySelectorAll('[data-scale]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-scale') === mode));
    });
    root.setAttribute('data-scale', mode);
  }
  function button(label, testid, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('data-testid', testid);
    b.addEventListener('click', onClick);
    return b;
  }
  function openTarget(id) {
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    if (el.tagName === 'DETAILS') { el.hidden = false; el.open = true; }
    el.scrollIntoView({ block: 'start' });
  }
  var sessions = Array.prototype.slice.call(document.querySelectorAll('details.session'));
  var slot = document.getElementById('toolbar');
  if (slot) {
    var bar = document.createElement('div');
    bar.className = 'toolbar';
    bar.setAttribute('data-testid', 'toolbar');
    var scale = document.createElement('span');
    scale.append('Time axis: ');
    var lin = button('linear', 'scale-linear', function () { setScale('lin'); });
    var log = button('log', 'scale-log', function () { setScale('log'); });
    lin.setAttribute('data-scale', 'lin');
    log.setAttribute('data-scale', 'log');
    scale.append(lin, ' ', log);
    bar.append(scale);
    if (sessions.length > 0) {
      var filter = document.createElement('input');
      filter.type = 'search';
      filter.placeholder = 'filter sessions (host, command, reply)';
      filter.setAttribute('data-testid', 'session-filter');
      var count = document.createElement('span');
      count.className = 'muted';
      var update = function () {
        var q = filter.value.trim().toLowerCase(), shown = 0;
        sessions.forEach(function (s) {
          var hit = q === '' || s.textContent.toLowerCase().indexOf(q) >= 0;
          s.hidden = !hit;
          if (hit) shown++;
        });
        count.textContent = shown + ' of ' + sessions.length + ' sessions';
      };
      filter.addEventListener('input', update);
      update();
      bar.append(filter, count,
        button('expand all', 'expand-all', function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); }),
        button('collapse all', 'collapse-all', function () { document.querySelectorAll('details').forEach(function (d) { d.open = false; }); }));
    }
    slot.replaceWith(bar);
  }
  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a') : null;
    var href = a ? (a.getAttribute('href') || '') : '';
    if (href.charAt(0) === '#') openTarget(decodeURIComponent(href.slice(1)));
  });
  window.addEventListener('hashchange', function () { openTarget(decodeURIComponent(location.hash.slice(1))); });
  setScale(/[?&]scale=log(&|$)/.test(location.search) ? 'log' : 'lin');
  if (location.hash) openTarget(decodeURIComponent(location.hash.slice(1)));
  document.body.setAttribute('data-js', 'ready');
})();
`;

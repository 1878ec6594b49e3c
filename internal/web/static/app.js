// tocsin UI enhancements: local times, live regions, charts. Pages work without it.
(function () {
  'use strict';
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };

  // <time datetime> in the viewer's time zone; the UTC text moves to the title.
  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var iso = el.getAttribute('datetime'), d = new Date(iso);
      if (isNaN(d)) return;
      el.title = iso.replace('T', ' ').replace('Z', ' UTC');
      el.textContent = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
        pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    });
  }

  var STATE_COLORS = { ALARM: '#cf222e', OK: '#2da44e', INSUFFICIENT_DATA: '#8c959f' };
  var charts = [];

  // Charts: <script type="application/json" data-chart="ID"> holds the data for <div id="ID">.
  function drawCharts(root) {
    if (!window.uPlot) return;
    root.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (el) {
      var target = document.getElementById(el.getAttribute('data-chart'));
      if (!target) return;
      var c;
      try { c = JSON.parse(el.textContent); } catch (e) { return; }
      charts.push(c.kind === 'lines' ? linesChart(target, c) : alarmChart(target, c));
    });
  }

  function alarmChart(target, c) {
    var dpr = window.devicePixelRatio || 1;
    function draw(u) {
      var ctx = u.ctx, b = u.bbox;
      ctx.save();
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      if (c.threshold !== null) {
        var y = u.valToPos(c.threshold, 'y', true);
        ctx.strokeStyle = '#cf222e'; ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([6 * dpr, 4 * dpr]);
        ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.strokeStyle = '#8250df'; ctx.fillStyle = '#8250df'; ctx.lineWidth = 1 * dpr;
      c.ann.forEach(function (a) {
        var x = u.valToPos(a[0], 'x', true);
        ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(x - 5 * dpr, b.top); ctx.lineTo(x + 5 * dpr, b.top); ctx.lineTo(x, b.top + 7 * dpr); ctx.fill();
      });
      var h = 6 * dpr;
      c.states.forEach(function (s) {
        var x0 = Math.max(b.left, u.valToPos(s[0], 'x', true)), x1 = Math.min(b.left + b.width, u.valToPos(s[1], 'x', true));
        ctx.fillStyle = STATE_COLORS[s[2]] || '#8c959f';
        if (x1 > x0) ctx.fillRect(x0, b.top + b.height - h, x1 - x0, h);
      });
      ctx.restore();
    }
    var opts = {
      width: target.clientWidth || 600, height: 300,
      scales: {
        x: { time: true, range: function () { return [c.start, c.end]; } },
        y: { range: function (u, lo, hi) {
          if (c.threshold !== null) { lo = lo === null ? c.threshold : Math.min(lo, c.threshold); hi = hi === null ? c.threshold : Math.max(hi, c.threshold); }
          if (lo === null) { lo = 0; hi = 1; }
          var padv = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
          return [lo - padv, hi + padv];
        } },
        n: { auto: true }
      },
      series: [
        {},
        { label: c.stat, stroke: '#0550ae', width: 2 },
        { label: 'Minimum', stroke: '#8c959f', width: 1 },
        { label: 'Average', stroke: '#57606a', width: 1, dash: [4, 4] },
        { label: 'Maximum', stroke: '#8c959f', width: 1 },
        { label: 'Samples', stroke: '#bf8700', width: 1, scale: 'n', show: false }
      ],
      bands: [{ series: [4, 2], fill: 'rgba(9,105,218,0.10)' }],
      axes: [{}, { label: c.unit || '' }],
      hooks: { draw: [draw] }
    };
    var u = new window.uPlot(opts, [c.t, c.v, c.min, c.avg, c.max, c.n], target);
    u._target = target;
    return u;
  }

  // Distinct hues for the explorer's lines, in order (the table names each series).
  var LINE_COLORS = ['#0550ae', '#cf222e', '#116329', '#8250df', '#bf8700', '#1b7c83', '#bc4c00', '#57606a',
    '#a40e26', '#0969da', '#2da44e', '#6639ba', '#7d4e00', '#3192aa', '#fb8f44', '#24292f'];

  // The metrics explorer: one line per series, sharing the x axis.
  function linesChart(target, c) {
    var series = [{}], data = [c.t];
    c.lines.forEach(function (l, i) {
      series.push({ label: l.label, stroke: LINE_COLORS[i % LINE_COLORS.length], width: 1.5, spanGaps: false });
      data.push(l.v);
    });
    var opts = {
      width: target.clientWidth || 600, height: 300,
      scales: { x: { time: true, range: function () { return [c.start, c.end]; } } },
      series: series,
      axes: [{}, { label: c.unit || c.stat }]
    };
    var u = new window.uPlot(opts, data, target);
    u._target = target;
    return u;
  }

  window.addEventListener('resize', function () {
    charts.forEach(function (u) { u.setSize({ width: u._target.clientWidth, height: 300 }); });
  });

  // Live region: every N seconds fetch the page's #live alone and swap it in, keeping
  // the scroll position; pause while the tab is hidden or the user is in a form.
  function live() {
    var el = document.getElementById('live');
    if (!el || !el.dataset.refresh || !window.fetch) return;
    var every = parseInt(el.dataset.refresh, 10) * 1000, busy = false;
    var timer = setInterval(function () {
      var cur = document.getElementById('live'), act = document.activeElement;
      if (busy || document.hidden || !cur) return;
      if (act && act !== document.body && act.form) return; // typing or choosing in a form
      var sel = window.getSelection && window.getSelection();
      if (sel && sel.toString() && cur.contains(sel.anchorNode)) return;
      busy = true;
      fetch(location.href, { headers: { 'X-Tocsin-Live': '1' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          if (!r.ok || r.redirected) { clearInterval(timer); cur.classList.add('stale'); cur.title = 'Not updating: reload the page'; return null; }
          return r.text();
        })
        .then(function (html) {
          if (html === null) return;
          var tpl = document.createElement('template');
          tpl.innerHTML = html.trim();
          var fresh = tpl.content.firstElementChild;
          if (!fresh || fresh.id !== 'live') return;
          var x = window.scrollX, y = window.scrollY;
          charts.forEach(function (u) { u.destroy(); });
          charts = [];
          cur.replaceWith(fresh);
          enhance(fresh);
          window.scrollTo(x, y);
        })
        .catch(function () { /* offline for a moment: try again next time */ })
        .then(function () { busy = false; });
    }, every);
  }

  function enhance(root) { localTimes(root); drawCharts(root); }

  // Forms that reload with new choices (the metrics explorer): submit when a
  // [data-autosubmit] select changes; without JavaScript the submit button does it.
  function autosubmit() {
    document.querySelectorAll('select[data-autosubmit]').forEach(function (el) {
      el.addEventListener('change', function () {
        if (el.form) { if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit(); }
      });
    });
  }

  // Copy buttons: button[data-copy=ID] copies the text of #ID and says so in the
  // role=status element #data-status. They stay hidden without JavaScript (the text can
  // still be selected).
  function copyButtons() {
    document.querySelectorAll('button[data-copy]').forEach(function (btn) {
      var src = document.getElementById(btn.getAttribute('data-copy'));
      if (!src) return;
      var status = document.getElementById(btn.getAttribute('data-status') || '');
      btn.hidden = false;
      btn.addEventListener('click', function () {
        var text = src.textContent.trim();
        var done = function () { if (status) status.textContent = 'Copied.'; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { selectText(src); });
        } else {
          selectText(src);
        }
      });
    });
  }

  function selectText(el) {
    var range = document.createRange(), sel = window.getSelection();
    range.selectNodeContents(el);
    sel.removeAllRanges(); sel.addRange(range);
  }

  function start() { enhance(document); live(); autosubmit(); copyButtons(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();

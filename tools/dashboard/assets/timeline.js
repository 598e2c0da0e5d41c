// Timeline: trace.json (Chrome trace events) and profile.json (per-layer start/end) on a
// zoomable canvas, one row per track (pid/tid named by thread_name metadata); hover shows
// layer and duration. Both files are downloadable for chrome://tracing or Perfetto.
'use strict';
Dash.traceTracks = function (trace, label) {
  // Chrome trace (object with traceEvents, or an array) -> [{name, events: [{ts, dur, name, args}]}]
  const events = Array.isArray(trace) ? trace : (trace.traceEvents || []);
  const names = new Map(), procs = new Map(), tracks = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(e.pid + ':' + e.tid, e.args.name);
    if (e.ph === 'M' && e.name === 'process_name') procs.set(e.pid, e.args.name);
  }
  for (const e of events) {
    if (e.ph !== 'X' && e.ph !== 'B' && e.ph !== 'i') continue;
    const key = e.pid + ':' + e.tid;
    if (!tracks.has(key)) tracks.set(key, {key, name: names.get(key) || ('tid ' + e.tid), proc: procs.get(e.pid) || '', file: label, events: []});
    tracks.get(key).events.push({ts: +e.ts || 0, dur: +e.dur || 0, name: e.name, cat: e.cat, args: e.args || {}});
  }
  return [...tracks.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', {numeric: true}));
};

Dash.profileTracks = function (p) {
  if (Array.isArray(p) || p.traceEvents) return Dash.traceTracks(p, 'profile.json');
  const ev = (p.layers || []).map(l => ({ts: l.start_us, dur: l.end_us - l.start_us, name: l.name,
    cat: l.op, args: {layer: l.name, op: l.op, cycles: l.cycles, compute_cycles: l.compute_cycles, transfer_cycles: l.transfer_cycles}}));
  return [{key: 'profile', name: 'layers', proc: '', file: 'profile.json', events: ev}];
};

Dash.pages.timeline = async function (main) {
  const want = ['trace.json', 'profile.json'].filter(n => Dash.hasFile(n));
  if (!want.length) { main.innerHTML = '<h1>Timeline</h1><p class="muted">no trace.json or profile.json (run <code>pfvm run DIR --profile</code>)</p>'; return; }
  const data = await Promise.all(want.map(n => Dash.json(Dash.fileUrl(n))));
  let tracks = [];
  want.forEach((n, i) => { tracks = tracks.concat(n === 'trace.json' ? Dash.traceTracks(data[i], n) : Dash.profileTracks(data[i])); });
  let t1 = 0;
  for (const t of tracks) for (const e of t.events) t1 = Math.max(t1, e.ts + e.dur);
  t1 = t1 || 1;
  const esc = Dash.esc;
  main.innerHTML = '<div class="toolbar"><b>Timeline</b> ' + want.map(n => '<a href="' + Dash.fileUrl(n) + '?download=1">download ' + n + '</a>').join(' · ') +
    ' <span class="muted">(load in chrome://tracing or Perfetto) · wheel to zoom, drag to pan</span> <button id="reset">reset zoom</button> <span id="span"></span></div>' +
    '<div id="tl"><div id="tracks">' + tracks.map(t => '<div class="track" title="' + esc(t.file) + '">' + esc(t.name) +
      ' <span class="muted">' + t.events.length + '</span></div>').join('') + '</div><div id="cv"><canvas id="canvas"></canvas><div id="tip"></div></div></div>';
  const ROW = 28, AXIS = 24;
  const canvas = document.getElementById('canvas'), tip = document.getElementById('tip');
  const ctx = canvas.getContext('2d');
  let v0 = 0, v1 = t1 * 1.02;
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
  const colorOf = (s) => { let h = 0; for (const c of String(s)) h = (h * 31 + c.charCodeAt(0)) | 0; return colors[Math.abs(h) % colors.length]; };
  const draw = () => {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.parentElement.clientWidth, h = AXIS + tracks.length * ROW + 4;
    canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = w + 'px'; canvas.style.height = h + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const sx = w / (v1 - v0);
    ctx.font = '11px sans-serif'; ctx.fillStyle = '#555'; ctx.strokeStyle = '#ddd';
    const step = Math.pow(10, Math.floor(Math.log10((v1 - v0) / 6)));
    const tick = [1, 2, 5, 10].map(m => m * step).find(s => (v1 - v0) / s <= 10);
    for (let t = Math.ceil(v0 / tick) * tick; t <= v1; t += tick) {
      const x = (t - v0) * sx;
      ctx.beginPath(); ctx.moveTo(x, AXIS - 4); ctx.lineTo(x, h); ctx.stroke();
      ctx.fillText(+t.toFixed(6) + ' µs', x + 2, 12);
    }
    tracks.forEach((t, r) => {
      const y = AXIS + r * ROW;
      if (r % 2) { ctx.fillStyle = '#f6f7f9'; ctx.fillRect(0, y, w, ROW); }
      for (const e of t.events) {
        if (e.ts + e.dur < v0 || e.ts > v1) continue;
        const x = (e.ts - v0) * sx, bw = Math.max(1, e.dur * sx);
        ctx.fillStyle = colorOf(e.args.layer || e.name);
        ctx.fillRect(x, y + 3, bw, ROW - 6);
        if (bw > 40) { ctx.fillStyle = '#fff'; ctx.save(); ctx.beginPath(); ctx.rect(x, y, bw, ROW); ctx.clip();
          ctx.fillText(e.name, x + 3, y + ROW / 2 + 4); ctx.restore(); }
      }
    });
    document.getElementById('span').textContent = 'showing ' + v0.toFixed(3) + '–' + v1.toFixed(3) + ' µs of ' + t1.toFixed(3) + ' µs';
  };
  const hit = (mx, my) => {
    const r = Math.floor((my - AXIS) / ROW);
    if (r < 0 || r >= tracks.length) return null;
    const t = (mx / canvas.clientWidth) * (v1 - v0) + v0, slack = 3 * (v1 - v0) / canvas.clientWidth;
    let best = null;
    for (const e of tracks[r].events) if (t >= e.ts - slack && t <= e.ts + e.dur + slack) { if (!best || e.dur < best.dur) best = e; }
    return best && {e: best, track: tracks[r]};
  };
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect(), mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
    if (drag) { const d = (drag.x - mx) * (v1 - v0) / rect.width; v0 = drag.v0 + d; v1 = drag.v1 + d; draw(); return; }
    const h = hit(mx, my);
    if (!h) { tip.style.display = 'none'; return; }
    const e = h.e;
    tip.innerHTML = '<b>' + esc(e.name) + '</b><br>' + esc(h.track.name) + '<br>layer: ' + esc(e.args.layer || e.name) +
      '<br>start ' + e.ts.toFixed(3) + ' µs, duration <b>' + e.dur.toFixed(3) + ' µs</b>' +
      Object.entries(e.args).filter(([k]) => k !== 'layer').map(([k, v]) => '<br>' + esc(k) + ': ' + esc(v)).join('');
    tip.style.display = 'block';
    tip.style.left = Math.min(mx + 12, rect.width - 260) + 'px'; tip.style.top = (my + 12) + 'px';
  });
  canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
  let drag = null;
  canvas.addEventListener('mousedown', (ev) => { drag = {x: ev.clientX - canvas.getBoundingClientRect().left, v0, v1}; });
  window.addEventListener('mouseup', () => { drag = null; });
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const rect = canvas.getBoundingClientRect(), t = v0 + (ev.clientX - rect.left) / rect.width * (v1 - v0);
    const f = Math.exp(ev.deltaY * 0.002);
    v0 = t - (t - v0) * f; v1 = t + (v1 - t) * f; draw();
  }, {passive: false});
  document.getElementById('reset').onclick = () => { v0 = 0; v1 = t1 * 1.02; draw(); };
  window.addEventListener('resize', draw);
  draw();
};

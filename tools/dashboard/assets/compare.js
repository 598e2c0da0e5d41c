// Compare: two codegen_dirs side by side (Perf Stats, Compile Statuses, per-layer time) with
// the difference B - A.
'use strict';
Dash.pages.compare = async function (main) {
  if (Dash.dirs.length < 2) {
    main.innerHTML = '<h1>Compare</h1><p class="muted">Start the dashboard with two codegen_dirs to compare them: ' +
      '<code>codegen-dashboard serve DIR_A DIR_B</code></p>';
    return;
  }
  const [a, b] = await Promise.all([Dash.report(0), Dash.report(1)]);
  const esc = Dash.esc, num = Dash.num;
  const diff = (x, y, d) => {
    if (typeof x !== 'number' || typeof y !== 'number') return '';
    const v = y - x;
    const cls = v < 0 ? 'better' : v > 0 ? 'worse' : '';
    const pct = x ? ' (' + (v >= 0 ? '+' : '') + (100 * v / x).toFixed(1) + '%)' : '';
    return '<span class="diff ' + cls + '">' + (v >= 0 ? '+' : '') + num(Number.isInteger(v) ? v : +v.toFixed(d || 3), d) + pct + '</span>';
  };
  const nameA = esc(Dash.dirs[0].name) + ' <span class="muted">(' + esc((a.options || {}).name || '') + ')</span>';
  const nameB = esc(Dash.dirs[1].name) + ' <span class="muted">(' + esc((b.options || {}).name || '') + ')</span>';
  let h = '<h1>Compare</h1><p>A = ' + esc(Dash.dirs[0].path) + ' · B = ' + esc(Dash.dirs[1].path) + '</p>';
  h += Dash.section('Predicted device time', Dash.table(['', 'A ' + nameA, 'B ' + nameB, 'B − A'], [
    ['time (µs)', num(a.predicted_time_us, 3), num(b.predicted_time_us, 3), diff(a.predicted_time_us, b.predicted_time_us)],
    ['cycles', num(a.predicted_cycles), num(b.predicted_cycles), diff(a.predicted_cycles, b.predicted_cycles)],
    ['DRAM bytes', num(a.dram_bytes), num(b.dram_bytes), diff(a.dram_bytes, b.dram_bytes)],
    ['options', esc(((a.options || {}).args || []).join(' ')), esc(((b.options || {}).args || []).join(' ')), ''],
  ], 'cmp'), 'cmp-time');
  const pa = a.perf_stats || {}, pb = b.perf_stats || {};
  const keys = [...new Set(Object.keys(pa).concat(Object.keys(pb)))].filter(k => k !== 'ALL').sort().concat(['ALL']);
  h += Dash.section('Perf Stats (cycles)', Dash.table(['attribute', 'A cycles', 'B cycles', 'B − A', 'A µs', 'B µs'],
    keys.map(k => { const x = (pa[k] || {}), y = (pb[k] || {});
      return [k === 'ALL' ? '<b>ALL</b>' : esc(k), num(x.cycles), num(y.cycles), diff(x.cycles, y.cycles), num(x.time_us, 3), num(y.time_us, 3)]; }), 'cmp'), 'cmp-perf');
  const sa = a.compile_statuses || [], sb = b.compile_statuses || [];
  const phases = [...new Set(sa.map(s => s.phase).concat(sb.map(s => s.phase)))];
  const st = (list, p) => list.find(s => s.phase === p) || {};
  const okText = (s) => s.ok === undefined ? '' : s.ok ? '<span class="ok">ok</span>' : '<span class="bad">failed</span>';
  h += Dash.section('Compile Statuses (seconds)', Dash.table(['phase', 'A', 'A s', 'B', 'B s', 'B − A'],
    phases.map(p => { const x = st(sa, p), y = st(sb, p);
      return [esc(p), okText(x), num(x.seconds), okText(y), num(y.seconds), diff(x.seconds, y.seconds)]; }), 'cmp'), 'cmp-status');
  const la = new Map((a.layers || []).map(l => [l.name, l])), lb = new Map((b.layers || []).map(l => [l.name, l]));
  const names = [...new Set([...la.keys(), ...lb.keys()])];
  h += Dash.section('Layers (time µs)', Dash.table(['layer', 'op', 'A µs', 'B µs', 'B − A', 'A layout', 'B layout'],
    names.map(n => { const x = la.get(n) || {}, y = lb.get(n) || {};
      return [esc(n), esc(x.op || y.op), num(x.time_us, 3), num(y.time_us, 3), diff(x.time_us, y.time_us),
              '<code>' + esc(x.layout) + '</code>', '<code>' + esc(y.layout) + '</code>']; }), 'cmp layers'), 'cmp-layers');
  main.innerHTML = h;
};

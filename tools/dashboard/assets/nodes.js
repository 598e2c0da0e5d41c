// Node: every ONNX node in one searchable, sortable table (no drawing), joined with
// report.json's layout and time. Only the rows in view are in the DOM (virtualized).
'use strict';
Dash.nodeRows = function (g, report) {
  const idx = Dash.layerIndex(report);
  const vals = g.values || {};
  const shapeOf = (n) => (vals[n] && vals[n].shape) ? Dash.shape(vals[n].shape) : '';
  return g.nodes.map((n, i) => {
    const l = idx.forNode(n.name);
    const out = n.outputs[0];
    return {i, name: n.name, op: n.op, node: n,
            inputs: n.inputs.filter(x => x).map(x => shapeOf(x) || '?').join(' '),
            output: out ? shapeOf(out) : '',
            dtype: (l && l.dtype) || (out && vals[out] ? vals[out].dtype : '') || '',
            layout: l ? l.layout || '' : '',
            time_us: l ? l.time_us : null, cycles: l ? l.cycles : null,
            attrs: Object.entries(n.attrs).map(([k, v]) => k + '=' + v).join(', ')};
  });
};

Dash.pages.nodes = async function (main) {
  const files = Dash.onnxFiles();
  if (!files.length) { main.innerHTML = '<h1>Node</h1><p class="muted">no ONNX file in this codegen_dir</p>'; return; }
  const file = Dash.params().get('file') || files[0];
  const [g, report] = await Promise.all([Dash.json('/api/onnx/' + Dash.dir + '/' + file), Dash.report()]);
  const rows = Dash.nodeRows(g, report);
  main.innerHTML = '<h1>Node</h1><div class="toolbar"><select id="file">' +
    files.map(f => '<option' + (f === file ? ' selected' : '') + '>' + Dash.esc(f) + '</option>').join('') +
    '</select> <input id="q" type="search" placeholder="search name, op, layout, attributes" size="40"> ' +
    '<span id="count"></span></div><div id="nodetable" class="vscroll"></div>';
  const cols = [['i', '#'], ['name', 'name'], ['op', 'op'], ['inputs', 'input shapes'], ['output', 'output shape'],
                ['dtype', 'dtype'], ['layout', 'layout'], ['cycles', 'cycles'], ['time_us', 'time (µs)'], ['attrs', 'attributes']];
  let sortKey = 'i', sortDir = 1, query = Dash.params().get('q') || '';
  const esc = Dash.esc;
  const graphLink = Dash.link('graph', file !== files[0] ? {file} : {}) + (file !== files[0] || Dash.dir ? '&' : '?') + 'select=';
  // Virtualized: only the rows in view (plus a margin) are in the DOM, between two spacer
  // rows, so 10,000 nodes cost what 60 do. Rows have one fixed height (cells do not wrap).
  const MARGIN = 30;
  let ROW = 24, measured = false;  // px per row, measured once the first rows are laid out
  let shown = rows;
  const scroller = document.getElementById('nodetable');
  const head = '<colgroup><col style="width:52px"><col style="width:18%"><col style="width:120px"><col style="width:11%">' +
    '<col style="width:100px"><col style="width:50px"><col style="width:20%"><col style="width:70px"><col style="width:76px"><col></colgroup>';
  const rowHtml = (r) => '<tr><td>' + r.i + '</td><td title="' + esc(r.name) + '"><a href="' + graphLink + encodeURIComponent(r.name) + '">' +
    esc(r.name) + '</a></td><td>' + esc(r.op) + '</td><td title="' + r.inputs + '">' + r.inputs + '</td><td>' + r.output +
    '</td><td>' + esc(r.dtype) + '</td><td title="' + esc(r.layout) + '"><code>' + esc(r.layout) + '</code></td><td class="n">' +
    Dash.num(r.cycles) + '</td><td class="n">' + Dash.num(r.time_us, 3) + '</td><td class="attrs" title="' + esc(r.attrs) + '">' + esc(r.attrs) + '</td></tr>';
  const paint = () => {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - MARGIN);
    const last = Math.min(shown.length, first + Math.ceil((scroller.clientHeight || 900) / ROW) + 2 * MARGIN);
    let h = '<tr class="spacer" style="height:' + first * ROW + 'px"></tr>';
    for (let i = first; i < last; i++) h += rowHtml(shown[i]);
    h += '<tr class="spacer" style="height:' + (shown.length - last) * ROW + 'px"></tr>';
    scroller.querySelector('tbody').innerHTML = h;
    const tr = scroller.querySelector('tbody').children[1];
    if (!measured && tr && tr.offsetHeight && last > first) {
      measured = true;
      if (tr.offsetHeight !== ROW) { ROW = tr.offsetHeight; paint(); }
    }
  };
  const draw = () => {
    const q = query.toLowerCase();
    shown = q ? rows.filter(r => (r.name + ' ' + r.op + ' ' + r.layout + ' ' + r.attrs + ' ' + r.output).toLowerCase().includes(q)) : rows.slice();
    shown.sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      if (x === y) return a.i - b.i;
      if (x === null || x === '') return 1;
      if (y === null || y === '') return -1;
      return (typeof x === 'number' ? x - y : String(x).localeCompare(String(y))) * sortDir;
    });
    let h = '<table class="nodes">' + head + '<thead><tr>';
    for (const [k, t] of cols) h += '<th data-k="' + k + '">' + t + (k === sortKey ? (sortDir > 0 ? ' ▲' : ' ▼') : '') + '</th>';
    h += '</tr></thead><tbody></tbody></table>';
    scroller.innerHTML = h;
    scroller.scrollTop = 0;
    paint();
    document.getElementById('count').textContent = shown.length + ' of ' + rows.length + ' nodes';
  };
  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; paint(); }); }
  });
  document.getElementById('nodetable').addEventListener('click', (e) => {
    const th = e.target.closest('th');
    if (!th) return;
    if (sortKey === th.dataset.k) sortDir = -sortDir; else { sortKey = th.dataset.k; sortDir = 1; }
    draw();
  });
  let timer = 0;
  document.getElementById('q').addEventListener('input', (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = e.target.value; draw(); }, 120);
  });
  document.getElementById('file').onchange = (e) => { location.href = Dash.link('nodes', {file: e.target.value}); };
  document.getElementById('q').value = query;
  const t0 = performance.now();
  draw();
  void document.body.offsetHeight;  // include the table's layout
  document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
};

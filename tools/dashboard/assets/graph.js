// Graph: the ONNX files of the codegen_dir drawn as a laid-out graph (dagre; a plain layered
// layout above 1500 nodes), pan/zoom, click a node for attributes, shapes, layout and time.
'use strict';
Dash.layoutGraph = function (nodes, edges) {
  // nodes: [{id, w, h}], edges: [[from, to]] -> sets x, y (centres); returns {width, height}.
  if (nodes.length <= 1500 && window.dagre) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 20, marginy: 20});
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, {width: n.w, height: n.h});
    for (const [a, b] of edges) g.setEdge(a, b);
    dagre.layout(g);
    for (const n of nodes) { const p = g.node(n.id); n.x = p.x; n.y = p.y; }
    const gg = g.graph();
    return {width: gg.width, height: gg.height};
  }
  // Longest-path ranks, nodes of a rank side by side in input order.
  const byId = new Map(nodes.map(n => [n.id, n]));
  const preds = new Map(nodes.map(n => [n.id, []]));
  for (const [a, b] of edges) preds.get(b).push(a);
  const rank = new Map();
  for (const n of nodes) {  // nodes are in topological order (ONNX requires it)
    let r = 0;
    for (const p of preds.get(n.id)) r = Math.max(r, (rank.get(p) || 0) + 1);
    rank.set(n.id, r);
  }
  const rows = [];
  for (const n of nodes) { const r = rank.get(n.id); (rows[r] = rows[r] || []).push(n); }
  const rowWidth = (row) => (row || []).reduce((a, n) => a + n.w + 24, 16);
  const width = Math.max(...rows.map(rowWidth));
  rows.forEach((row, r) => {
    let x = (width - rowWidth(row)) / 2 + 20;
    for (const n of row || []) { n.x = x + n.w / 2; n.y = 20 + r * 60 + n.h / 2; x += n.w + 24; }
  });
  void byId;
  return {width, height: rows.length * 60 + 40};
};

Dash.pages.graph = async function (main) {
  const files = Dash.onnxFiles();
  if (!files.length) { main.innerHTML = '<h1>Graph</h1><p class="muted">no ONNX file in this codegen_dir</p>'; return; }
  const file = Dash.params().get('file') || files[0];
  const [g, report] = await Promise.all([Dash.json('/api/onnx/' + Dash.dir + '/' + file), Dash.report()]);
  const esc = Dash.esc;
  const idx = Dash.layerIndex(report);
  const vals = g.values || {};
  const inits = new Set(g.initializers.map(x => x.name));
  const producer = new Map();
  const nodes = [], edges = [];
  for (const v of g.inputs) if (!inits.has(v.name)) {
    producer.set(v.name, 'in:' + v.name);
    nodes.push({id: 'in:' + v.name, kind: 'input', label: v.name, sub: Dash.shape(v.shape), w: 120, h: 34, value: v});
  }
  g.nodes.forEach((n, i) => {
    const id = 'n' + i;
    for (const o of n.outputs) producer.set(o, id);
    const l = idx.forNode(n.name);
    nodes.push({id, kind: 'op', label: n.op, sub: l ? Dash.num(l.time_us, 3) + ' µs' : '', w: Math.max(90, 8 * n.op.length + 24), h: 36, node: n, layer: l});
  });
  for (const v of g.outputs) nodes.push({id: 'out:' + v.name, kind: 'output', label: v.name, sub: Dash.shape(v.shape), w: 120, h: 34, value: v});
  g.nodes.forEach((n, i) => { for (const x of n.inputs) if (producer.has(x)) edges.push([producer.get(x), 'n' + i, x]); });
  for (const v of g.outputs) if (producer.has(v.name)) edges.push([producer.get(v.name), 'out:' + v.name, v.name]);

  main.innerHTML = '<div class="toolbar"><b>Graph</b> <select id="file">' +
    files.map(f => '<option' + (f === file ? ' selected' : '') + '>' + esc(f) + '</option>').join('') +
    '</select> <span class="muted">' + g.nodes.length + ' nodes · drag to pan, wheel to zoom, click a node</span>' +
    ' <button id="fit">fit</button></div><div id="graphwrap"><svg id="graph"></svg><aside id="detail"><p class="muted">Click a node.</p></aside></div>';
  document.getElementById('file').onchange = (e) => { location.href = Dash.link('graph', {file: e.target.value}); };

  const size = Dash.layoutGraph(nodes, edges);
  const byId = new Map(nodes.map(n => [n.id, n]));
  let s = '<g id="vp"><g class="edges">';
  for (const [a, b] of edges) {
    const p = byId.get(a), q = byId.get(b);
    const y1 = p.y + p.h / 2, y2 = q.y - q.h / 2, my = (y1 + y2) / 2;
    s += '<path d="M' + p.x + ',' + y1 + ' C' + p.x + ',' + my + ' ' + q.x + ',' + my + ' ' + q.x + ',' + y2 + '"/>';
  }
  s += '</g><g class="nodes">';
  for (const n of nodes) {
    s += '<g class="node ' + n.kind + '" data-id="' + n.id + '" transform="translate(' + (n.x - n.w / 2) + ',' + (n.y - n.h / 2) + ')">' +
      '<rect width="' + n.w + '" height="' + n.h + '" rx="5"/><text x="' + n.w / 2 + '" y="15">' + esc(n.label) + '</text>' +
      (n.sub ? '<text class="sub" x="' + n.w / 2 + '" y="29">' + esc(n.sub) + '</text>' : '') + '</g>';
  }
  s += '</g></g>';
  const svg = document.getElementById('graph');
  svg.innerHTML = s;
  const vp = document.getElementById('vp');
  let tx = 0, ty = 0, k = 1;
  const apply = () => vp.setAttribute('transform', 'translate(' + tx + ',' + ty + ') scale(' + k + ')');
  const fit = () => {
    const r = svg.getBoundingClientRect();
    k = Math.min(1.5, r.width / size.width, Math.max(r.height / size.height, 0.02));
    if (size.height * k > r.height) k = Math.max(k, Math.min(1, r.width / size.width));
    tx = (r.width - size.width * k) / 2; ty = 10; apply();
  };
  fit();
  document.getElementById('fit').onclick = fit;
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    const f = Math.exp(-e.deltaY * 0.0015);
    tx = mx - (mx - tx) * f; ty = my - (my - ty) * f; k *= f; apply();
  }, {passive: false});
  let drag = null;
  svg.addEventListener('mousedown', (e) => { drag = {x: e.clientX - tx, y: e.clientY - ty, moved: false}; });
  window.addEventListener('mousemove', (e) => { if (drag) { tx = e.clientX - drag.x; ty = e.clientY - drag.y; drag.moved = true; apply(); } });
  window.addEventListener('mouseup', () => { setTimeout(() => { drag = null; }, 0); });
  const valueRow = (x) => { const v = vals[x] || {}; return [esc(x), Dash.shape(v.shape), esc(v.dtype || '') + (v.initializer ? ' <span class="tag">const</span>' : '')]; };
  const select = (n) => {
    for (const x of svg.querySelectorAll('.node.sel')) x.classList.remove('sel');
    const el = svg.querySelector('.node[data-id="' + n.id + '"]');
    if (el) el.classList.add('sel');
    let h;
    if (n.node) {
      const l = n.layer;
      h = '<h3>' + esc(n.node.op) + '</h3><p><b id="selname">' + esc(n.node.name) + '</b></p>' +
        (l ? '<p>time <b>' + Dash.num(l.time_us, 3) + ' µs</b> (' + Dash.num(l.cycles) + ' cycles), ' + esc(l.dtype) +
             '</p><p>layout <code>' + esc(l.layout) + '</code></p>' +
             (l.parts.length > 1 ? '<p class="muted">device layers: ' + l.parts.map(p => esc(p.name)).join(', ') + '</p>' : '')
           : '<p class="muted">no device layer in report.json</p>') +
        '<h4>attributes</h4>' + Dash.table(['name', 'value'], Object.entries(n.node.attrs).map(([a, v]) => [esc(a), esc(v)])) +
        '<h4>inputs</h4>' + Dash.table(['value', 'shape', 'dtype'], n.node.inputs.filter(x => x).map(valueRow)) +
        '<h4>outputs</h4>' + Dash.table(['value', 'shape', 'dtype'], n.node.outputs.map(valueRow));
    } else {
      h = '<h3>' + n.kind + '</h3><p><b id="selname">' + esc(n.value.name) + '</b></p><p>' + Dash.shape(n.value.shape) + ' ' + esc(n.value.dtype || '') + '</p>';
    }
    document.getElementById('detail').innerHTML = h;
  };
  svg.addEventListener('click', (e) => {
    if (drag && drag.moved) return;
    const el = e.target.closest('.node');
    if (el) select(byId.get(el.dataset.id));
  });
  // ?select=NODE_NAME (links from the Node page): show that node's details, centred.
  const want = Dash.params().get('select');
  if (want) {
    const n = nodes.find(x => (x.node && x.node.name === want) || (x.value && x.value.name === want));
    if (n) {
      select(n);
      const r = svg.getBoundingClientRect();
      k = Math.max(k, 1); tx = r.width / 2 - n.x * k; ty = r.height / 3 - n.y * k; apply();
    }
  }
};

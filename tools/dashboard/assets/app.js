// Shared by every page: the navigation bar, fetching, formatting, tables and the join of
// report.json layers onto ONNX nodes. Each page file registers Dash.pages[name] = render.
'use strict';
const Dash = {
  pages: {},
  dirs: [],      // /api/dirs
  dir: 0,        // codegen_dir shown (?dir=1 for the second one)
  reports: {},   // index -> report.json

  esc(s) {
    return String(s === undefined || s === null ? '' : s)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  },
  async json(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + (await r.text()));
    return r.json();
  },
  async text(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ': ' + r.status);
    return r.text();
  },
  fileUrl(name, dir) { return '/files/' + (dir === undefined ? Dash.dir : dir) + '/' +
                              name.split('/').map(encodeURIComponent).join('/'); },
  files(dir) { return Dash.dirs[dir === undefined ? Dash.dir : dir].files; },
  hasFile(name, dir) { return Dash.files(dir).some(f => f.name === name); },
  async report(dir) {
    dir = dir === undefined ? Dash.dir : dir;
    if (!Dash.reports[dir]) Dash.reports[dir] = await Dash.json('/api/report/' + dir);
    return Dash.reports[dir];
  },
  num(x, digits) {
    if (x === undefined || x === null || x === '') return '';
    if (typeof x !== 'number') return Dash.esc(x);
    if (digits !== undefined) return x.toFixed(digits);  // times: always this many decimals
    if (Number.isInteger(x)) return x.toLocaleString('en-US');
    return x.toFixed(3);
  },
  shape(s) { return Array.isArray(s) ? '[' + s.join('×') + ']' : (s === undefined ? '' : Dash.esc(s)); },
  bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
    return (n / (1 << 20)).toFixed(1) + ' MiB';
  },
  // rows: arrays of cell HTML; one string, one innerHTML (fast on large tables).
  table(headers, rows, cls) {
    let h = '<table class="' + (cls || '') + '"><thead><tr>';
    for (const x of headers) h += '<th>' + x + '</th>';
    h += '</tr></thead><tbody>';
    for (const r of rows) h += '<tr><td>' + r.join('</td><td>') + '</td></tr>';
    return h + '</tbody></table>';
  },
  section(title, body, id) {
    return '<section' + (id ? ' id="' + id + '"' : '') + '><h2>' + Dash.esc(title) + '</h2>' + body + '</section>';
  },
  // report.json layers keyed by ONNX node name. Import may split a node ("/bn1/X" becomes
  // "/bn1/X_mul" and "/bn1/X_add"): those parts are summed onto their node.
  layerIndex(report) {
    const exact = new Map(), byPrefix = new Map();
    for (const l of (report && report.layers) || []) {
      exact.set(l.name, l);
      for (let i = l.name.indexOf('_', 1); i > 0; i = l.name.indexOf('_', i + 1)) {
        const p = l.name.slice(0, i);
        if (!byPrefix.has(p)) byPrefix.set(p, []);
        byPrefix.get(p).push(l);
      }
    }
    return {
      exact,
      forNode(name) {
        const l = exact.get(name);
        if (l) return {time_us: l.time_us, cycles: l.cycles, layout: l.layout, dtype: l.dtype, parts: [l]};
        const parts = byPrefix.get(name);
        if (!parts) return null;
        return {time_us: parts.reduce((a, p) => a + (p.time_us || 0), 0),
                cycles: parts.reduce((a, p) => a + (p.cycles || 0), 0),
                layout: [...new Set(parts.map(p => p.layout).filter(x => x))].join(' | '),
                dtype: parts[0].dtype, parts};
      },
    };
  },
  onnxFiles(dir) {
    return Dash.files(dir).map(f => f.name).filter(n => /\.onnx$/.test(n))
      .sort((a, b) => (a === 'model.onnx' ? -1 : b === 'model.onnx' ? 1 : a.localeCompare(b)));
  },
  error(e) {
    document.getElementById('main').innerHTML = '<p class="error">' + Dash.esc(e.message || e) + '</p>';
    console.error(e);
  },
  params() { return new URLSearchParams(location.search); },
  // Keeps ?dir= on navigation links.
  link(page, extra) {
    const p = new URLSearchParams(extra || {});
    if (Dash.dir) p.set('dir', Dash.dir);
    const q = p.toString();
    return '/' + page + (q ? '?' + q : '');
  },
  async start() {
    const page = location.pathname.replace(/^\//, '') || 'summary';
    try {
      const api = await Dash.json('/api/dirs');
      Dash.dirs = api.dirs;
      Dash.version = api.version;
      Dash.dir = Math.min(parseInt(Dash.params().get('dir') || '0', 10) || 0, Dash.dirs.length - 1);
      for (const a of document.querySelectorAll('#nav a')) {
        a.href = Dash.link(a.dataset.page);
        if (a.dataset.page === page) a.classList.add('active');
        if (a.dataset.page === 'compare' && Dash.dirs.length < 2) a.classList.add('dim');
      }
      let chooser = '';
      if (Dash.dirs.length > 1) {
        chooser = '<select id="dirpick">' + Dash.dirs.map(d => '<option value="' + d.index + '"' +
          (d.index === Dash.dir ? ' selected' : '') + '>' + Dash.esc(d.path) + '</option>').join('') + '</select>';
      } else {
        chooser = Dash.esc(Dash.dirs[0].path);
      }
      document.getElementById('dirname').innerHTML = chooser;
      const pick = document.getElementById('dirpick');
      if (pick) pick.onchange = () => {
        const p = Dash.params(); p.set('dir', pick.value); location.search = p.toString();
      };
      const render = Dash.pages[page];
      if (!render) throw new Error('no page ' + page);
      document.title = 'Codegen Dashboard — ' + page;
      await render(document.getElementById('main'));
      void document.body.offsetHeight;  // force style and layout, so the figure includes them
      document.body.dataset.readyMs = performance.now().toFixed(0);  // navigation start → laid out
      document.body.dataset.ready = '1';  // the browser tests wait for this
    } catch (e) {
      Dash.error(e);
      document.body.dataset.ready = 'error';
    }
  },
};

// HTML tools: layout.html, layout_plan_history.html and time_slice.html in a frame of the
// served file; l3ir.txt, time_slice.txt and the MNGraph text dumps as text with search.
'use strict';
Dash.pages.tools = async function (main) {
  const names = Dash.files().map(f => f.name);
  const html = ['layout.html', 'layout_plan_history.html', 'time_slice.html'].filter(n => names.includes(n))
    .concat(names.filter(n => /\.html$/.test(n) && !['layout.html', 'layout_plan_history.html', 'time_slice.html'].includes(n)));
  const text = ['l3ir.txt', 'time_slice.txt'].filter(n => names.includes(n))
    .concat(names.filter(n => /\.txt$/.test(n) && n !== 'l3ir.txt' && n !== 'time_slice.txt'));
  const all = html.concat(text);
  if (!all.length) { main.innerHTML = '<h1>HTML tools</h1><p class="muted">no HTML or text tools in this codegen_dir</p>'; return; }
  const cur = Dash.params().get('file') || all[0];
  let h = '<div class="toolbar tabs">' + all.map(n => '<a class="tab' + (n === cur ? ' active' : '') + '" href="' +
    Dash.link('tools', {file: n}) + '">' + Dash.esc(n) + '</a>').join('') + '</div>';
  const url = Dash.fileUrl(cur);
  if (html.includes(cur)) {
    h += '<p class="muted"><a href="' + url + '" target="_blank">open ' + Dash.esc(cur) + ' alone</a></p>' +
      '<iframe id="toolframe" sandbox="allow-scripts" src="' + url + '"></iframe>';
    main.innerHTML = h;
    return;
  }
  const body = await Dash.text(url);
  const lines = body.split('\n');
  h += '<div class="toolbar"><input id="q" type="search" placeholder="search ' + Dash.esc(cur) + '" size="40"> ' +
    '<label><input type="checkbox" id="only"> matching lines only</label> <span id="count"></span> ' +
    '<a href="' + url + '?download=1">download</a></div><pre id="textview"></pre>';
  main.innerHTML = h;
  const draw = () => {
    const q = document.getElementById('q').value;
    const only = document.getElementById('only').checked;
    const ql = q.toLowerCase();
    let n = 0, out = '';
    lines.forEach((l, i) => {
      const hit = q && l.toLowerCase().includes(ql);
      if (hit) n++;
      if (only && q && !hit) return;
      let t = Dash.esc(l);
      if (hit) t = t.split(Dash.esc(q)).join('<mark>' + Dash.esc(q) + '</mark>');
      out += '<span class="ln">' + (i + 1) + '</span>' + (hit ? '<span class="hit">' + t + '</span>' : t) + '\n';
    });
    document.getElementById('textview').innerHTML = out;
    document.getElementById('count').textContent = q ? n + ' matching lines' : lines.length + ' lines';
  };
  document.getElementById('q').addEventListener('input', draw);
  document.getElementById('only').addEventListener('change', draw);
  draw();
};

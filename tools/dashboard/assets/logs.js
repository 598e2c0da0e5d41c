// Logs: CLOG.log (runtime) and each glog/codegen.* file (one per stage process), filtered
// by severity (I/W/E/F) and text.
'use strict';
Dash.logSeverity = function (line) {
  let m = /^([IWEF])\d{8} /.exec(line);            // glog: I20261125 12:55:37.98 ...
  if (m) return m[1];
  m = /^\S+ \S+\[\d+\] ([IWEF]) /.exec(line);      // CLOG: 2026-11-25T12:55:38 pfvm[1] I ...
  return m ? m[1] : '';
};

Dash.pages.logs = async function (main) {
  const names = Dash.files().map(f => f.name)
    .filter(n => /^CLOG\.log/.test(n) || /^glog\/codegen\./.test(n));
  if (!names.length) { main.innerHTML = '<h1>Logs</h1><p class="muted">no CLOG.log or glog/codegen.* files</p>'; return; }
  const texts = await Promise.all(names.map(n => Dash.text(Dash.fileUrl(n))));
  const files = names.map((n, i) => {
    let sev = 'I';
    const lines = texts[i].split('\n').filter((l, j, a) => l || j < a.length - 1).map(l => {
      const s = Dash.logSeverity(l);
      if (s) sev = s;
      return {text: l, sev: s || (/^(Log file|Running|Log line)/.test(l) ? 'H' : sev)};
    });
    return {name: n, lines};
  });
  const counts = (f, s) => f.lines.filter(l => l.sev === s).length;
  main.innerHTML = '<h1>Logs</h1><div class="toolbar">' +
    ['I', 'W', 'E', 'F'].map(s => '<label class="sev ' + s + '"><input type="checkbox" data-sev="' + s + '" checked> ' +
      {I: 'INFO', W: 'WARNING', E: 'ERROR', F: 'FATAL'}[s] + '</label>').join(' ') +
    ' <label><input type="checkbox" id="hdr"> glog headers</label> <input id="q" type="search" placeholder="filter text" size="30"></div>' +
    '<div id="logfiles"></div>';
  const draw = () => {
    const on = new Set([...main.querySelectorAll('[data-sev]')].filter(c => c.checked).map(c => c.dataset.sev));
    if (document.getElementById('hdr').checked) on.add('H');
    const q = document.getElementById('q').value.toLowerCase();
    let h = '';
    for (const f of files) {
      const shown = f.lines.filter(l => on.has(l.sev) && (!q || l.text.toLowerCase().includes(q)));
      h += '<section class="logfile"><h2>' + Dash.esc(f.name) + ' <span class="muted">' + shown.length + ' of ' + f.lines.length +
        ' lines · W ' + counts(f, 'W') + ' · E ' + counts(f, 'E') + '</span> <a href="' + Dash.fileUrl(f.name) + '?download=1">download</a></h2><pre>' +
        shown.map(l => '<span class="l ' + l.sev + '">' + Dash.esc(l.text) + '</span>').join('\n') + '</pre></section>';
    }
    document.getElementById('logfiles').innerHTML = h;
  };
  main.addEventListener('change', draw);
  document.getElementById('q').addEventListener('input', draw);
  draw();
};

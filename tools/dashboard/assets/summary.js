// Summary: command and options, version, hardware, FLOPs, compile statuses, layers, perf
// stats, predicted time (against a roofline when report.json has one), host ops, files.
'use strict';
Dash.pages.summary = async function (main) {
  const r = await Dash.report();
  const esc = Dash.esc, num = Dash.num;
  let h = '<h1>Summary</h1>';
  const kv = (rows) => '<table class="kv">' + rows.filter(([, v]) => v !== '').map(([k, v]) =>
    '<tr><th>' + esc(k) + '</th><td>' + v + '</td></tr>').join('') + '</table>';

  const opts = r.options || {};
  h += Dash.section('Command', kv([
    ['command', '<code>' + esc((r.argv || []).join(' ')) + '</code>'],
    ['tool version', esc(r.tool_version)],
    ['dashboard', esc(Dash.version)],
    ['input', esc(r.input ? r.input.path : '') + (r.input && r.input.sha256 ? ' <span class="muted">sha256 ' + esc(r.input.sha256.slice(0, 16)) + '…</span>' : '')],
    ['preset', esc(opts.name || '')],
  ]), 'command');
  const optRows = (opts.args || []).map(a => { const m = /^--([^=]+)=?(.*)$/.exec(a) || [a, a, '']; return [esc(m[1]), esc(m[2])]; });
  const envRows = Object.entries(opts.envs || {}).map(([k, v]) => [esc(k), esc(v)]);
  h += Dash.section('Options (option.json)', '<div class="cols">' + Dash.table(['option', 'value'], optRows) +
                    Dash.table(['environment', 'value'], envRows) + '</div>', 'options');

  const hw = r.hardware || {};
  const perf = r.perf_stats || {};
  // report.json's roofline: the bound (compute or minimum DRAM traffic) the predicted time is
  // measured against. Older or synthetic reports may name the bound time differently.
  let roof = '';
  if (r.roofline && typeof r.roofline === 'object') {
    const rl = r.roofline;
    const bound = rl.bound_time_us || rl.time_us || rl.roofline_time_us;
    const ratio = rl.predicted_over_bound || (bound ? r.predicted_time_us / bound : 0);
    roof = '<h3>Roofline</h3>' +
      (bound ? '<p id="roofline">predicted <b>' + num(r.predicted_time_us, 3) + ' µs</b> against the roofline bound <b>' +
        num(bound, 3) + ' µs</b>' + (rl.bound_by ? ' (' + esc(rl.bound_by) + '-bound)' : '') +
        ': <b>' + ratio.toFixed(2) + '×</b> the bound</p>' : '') +
      kv(Object.entries(rl).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? num(v, 3) : num(v)]));
  }
  h += Dash.section('Device', kv([
    ['hardware', esc(hw.name || '') + (hw.clock_hz ? ' @ ' + (hw.clock_hz / 1e6).toFixed(0) + ' MHz' : '') + (hw.pes ? ', ' + hw.pes + ' PEs' : '')],
    ['FLOPs', num(r.flops)],
    ['predicted device time', '<b>' + num(r.predicted_time_us, 3) + ' µs</b> (' + num(r.predicted_cycles) + ' cycles)'],
    ['DRAM bytes', num(r.dram_bytes)],
    ['instructions', num(r.instructions)],
    ['LM bytes per PE', num(r.lm_bytes_per_pe)],
    ['achieved', r.flops && r.predicted_time_us ? (r.flops / r.predicted_time_us / 1e6).toFixed(3) + ' TFLOPS' : ''],
  ]) + roof, 'device');

  const st = r.compile_statuses || [];
  h += Dash.section('Compile Statuses', Dash.table(['phase', 'status', 'seconds'], st.map(s => [
    esc(s.phase), s.ok ? '<span class="ok">ok</span>' : '<span class="bad">failed</span>', num(s.seconds, 3)]), 'statuses'), 'statuses');

  const all = perf.ALL || {};
  const attrs = Object.keys(perf).filter(k => k !== 'ALL').sort((a, b) => (perf[b].cycles || 0) - (perf[a].cycles || 0));
  const bar = (c) => all.cycles ? '<div class="bar" style="width:' + (100 * c / all.cycles).toFixed(1) + '%"></div>' : '';
  h += Dash.section('Perf Stats', Dash.table(['attribute', 'count', 'cycles', 'time (µs)', 'share', ''],
    attrs.map(k => [esc(k), num(perf[k].count), num(perf[k].cycles), num(perf[k].time_us, 3),
                    all.cycles ? (100 * perf[k].cycles / all.cycles).toFixed(1) + '%' : '', bar(perf[k].cycles)])
      .concat([['<b>ALL</b>', num(all.count), '<b>' + num(all.cycles) + '</b>', '<b>' + num(all.time_us, 3) + '</b>', '100%', '']]), 'perf'), 'perf');

  const host = r.host_ops || [];
  h += Dash.section('Host ops', host.length ? Dash.table(['op', 'details'], host.map(o =>
    typeof o === 'object' ? [esc(o.op || o.name || ''), esc(JSON.stringify(o))] : [esc(o), ''])) :
    '<p class="muted">none: every op runs on the device</p>', 'host');

  // Large models: the first 1000 layers at once, the rest on request (the Node page has all).
  const layers = r.layers || [];
  const LIMIT = 1000;
  const layerRows = (list, from) => list.map((l, i) => [from + i, esc(l.name), esc(l.op), (l.inputs || []).map(Dash.shape).join(' '), Dash.shape(l.output),
    esc(l.dtype), '<code>' + esc(l.layout) + '</code>', num(l.cycles), num(l.time_us, 3), num(l.flops)]);
  const layerHead = ['#', 'name', 'op', 'inputs', 'output', 'dtype', 'layout', 'cycles', 'time (µs)', 'FLOPs'];
  h += Dash.section('Layers (' + layers.length + ')', Dash.table(layerHead, layerRows(layers.slice(0, LIMIT), 0), 'layers') +
    (layers.length > LIMIT ? '<p id="morelayers"><button id="showall">show all ' + layers.length + ' layers</button></p>' : ''), 'layers');

  const files = Dash.files();
  h += Dash.section('Files', Dash.table(['file', 'size', ''], files.map(f => [
    '<a href="' + Dash.fileUrl(f.name) + '">' + esc(f.name) + '</a>' + (f.zst ? ' <span class="tag">zst</span>' : ''),
    Dash.bytes(f.bytes),
    '<a href="' + Dash.fileUrl(f.name) + '?' + (f.zst ? 'raw=1' : 'download=1') + '">download' + (f.zst ? ' .zst' : '') + '</a>'])), 'files');
  main.innerHTML = h;
  const more = document.getElementById('showall');
  if (more) more.onclick = () => {
    document.querySelector('#layers table').outerHTML = Dash.table(layerHead, layerRows(layers, 0), 'layers');
    document.getElementById('morelayers').remove();
  };
};

// Times how long the dashboard's pages take to render in headless Chromium (playwright-core,
// executablePath /usr/bin/chromium): navigation start → the page's data-ready mark, read from
// the page's own performance.now(). Prints one JSON line per page.
//   node bench/dashboard_render.js URL PAGE... [--shots DIR] [--runs N]
'use strict';
const path = require('path');
const pwPath = process.env.PLAYWRIGHT_CORE || 'playwright-core';
const { chromium } = require(pwPath);

(async () => {
  const args = process.argv.slice(2);
  const url = args.shift();
  let shots = '', runs = 3;
  const pages = [];
  while (args.length) {
    const a = args.shift();
    if (a === '--shots') shots = args.shift();
    else if (a === '--runs') runs = parseInt(args.shift(), 10);
    else pages.push(a);
  }
  const browser = await chromium.launch({
    executablePath: process.env.PFCOMP_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  for (const p of pages) {
    const times = [], draws = [];
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
      await page.goto(url + p, { waitUntil: 'load', timeout: 120000 });
      await page.waitForSelector('body[data-ready]', { timeout: 120000 });
      const wall = Date.now() - t0;
      const ready = await page.evaluate(() => document.body.dataset.ready);
      if (ready !== '1') throw new Error(p + ': page failed: ' + await page.evaluate(() => document.getElementById('main').innerText));
      times.push(+(await page.evaluate(() => document.body.dataset.readyMs)));
      const d = await page.evaluate(() => document.body.dataset.renderMs);
      if (d) draws.push(+d);
      void wall;
    }
    const rows = await page.evaluate(() => document.querySelectorAll('tbody tr').length);
    const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(JSON.stringify({ page: p, ready_ms_median: med(times), ready_ms: times,
                                 table_draw_ms_median: draws.length ? med(draws) : null, dom_table_rows: rows }));
    if (shots) await page.screenshot({ path: path.join(shots, p.replace(/[^a-z0-9]+/gi, '_') + '.png') });
  }
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });

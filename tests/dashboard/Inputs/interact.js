// Clicks, types and hovers on the dashboard in headless Chromium (playwright-core driving
// /usr/bin/chromium) and prints what changed, for FileCheck; screenshots go to SHOTS.
//   node interact.js URL SHOTS      (PLAYWRIGHT_CORE = path of the playwright-core package)
'use strict';
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

(async () => {
  const [url, shots] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.PFCOMP_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const open = async (p) => {
    await page.goto(url + p, { timeout: 60000 });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  };

  await open('graph');
  const before = await page.getAttribute('#vp', 'transform');
  await page.click('.node.op >> nth=1');
  console.log('graph click: ' + (await page.textContent('#selname')) + ' / ' +
              ((await page.textContent('#detail')).includes('attributes') ? 'attributes shown' : 'no attributes'));
  await page.mouse.move(500, 400);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(100);
  console.log('graph zoom: ' + (before !== await page.getAttribute('#vp', 'transform') ? 'changed' : 'unchanged'));
  await page.screenshot({ path: shots + '/graph-clicked.png' });

  await open('nodes');
  await page.fill('#q', 'relu');
  await page.waitForTimeout(400);
  console.log('node search relu: ' + await page.textContent('#count'));
  await page.fill('#q', '');
  await page.waitForTimeout(400);
  await page.click('th[data-k="time_us"]');
  await page.click('th[data-k="time_us"]');
  const times = await page.$$eval('table.nodes tbody tr:not(.spacer)', (rows) => rows.map((r) => parseFloat(r.children[8].textContent) || 0));
  console.log('node sort by time desc: ' + (times.every((t, i) => i === 0 || times[i - 1] >= t) ? 'sorted' : 'NOT sorted'));
  await page.screenshot({ path: shots + '/nodes-sorted.png' });

  await open('timeline');
  const box = await page.locator('#canvas').boundingBox();
  let tip = '';
  for (let x = 5; x < box.width && !tip; x += 7) {  // first bar of the first track
    await page.mouse.move(box.x + x, box.y + 24 + 14);
    if (await page.isVisible('#tip')) tip = await page.textContent('#tip');
  }
  console.log('timeline hover: ' + (tip.includes('duration') ? 'duration shown' : 'no tooltip') +
              (tip.includes('layer:') ? ', layer shown' : ''));
  await page.screenshot({ path: shots + '/timeline-hover.png' });
  const span0 = await page.textContent('#span');
  await page.mouse.wheel(0, -500);
  await page.waitForTimeout(100);
  console.log('timeline zoom: ' + (span0 !== await page.textContent('#span') ? 'changed' : 'unchanged'));

  await open('logs');
  await page.uncheck('input[data-sev="I"]');
  const sev = await page.$$eval('#logfiles .l', (ls) => [...new Set(ls.map((l) => l.className))].sort().join(','));
  console.log('logs without INFO: ' + (sev || 'none'));

  await open('tools?file=l3ir.txt');
  await page.fill('#q', 'Conv');
  console.log('l3ir search: ' + await page.textContent('#count'));

  console.log('page errors: ' + errors.length + (errors.length ? ' ' + errors.join(' | ') : ''));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });

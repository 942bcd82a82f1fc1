// The pod table with 5,000 pods in headless Chromium (playwright-core, Debian's chromium), ROUNDS times, medians printed.
// The list is served to the page by the browser (page.route), so the figures are the page's own: the API's time is in
// docs/benchmarks.md's cache benchmark. Side by side, in the same page: the same 5,000 rows as a plain table (every row
// in the DOM), which is what a page without virtualisation pays.
// Environment: NOAH_URL, NOAH_TOKEN, CHROMIUM, ROUNDS (default 5), PODS (default 5000).
import { chromium } from 'playwright-core';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error('missing ' + k); })();
const url = env('NOAH_URL');
const rounds = Number(env('ROUNDS', '5'));
const n = Number(env('PODS', '5000'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pods = Array.from({ length: n }, (_, i) => ({ cluster: i % 2 ? 'idc-b' : 'idc-a', idc: i % 2 ? 'dc2' : 'dc1', namespace: 'bench', name: `bench-${i}`,
  app: 'bench-' + (i % 50), node: 'node-' + (i % 200), ip: `10.1.${i >> 8}.${i & 255}`, phase: 'Running', ready: i % 7 !== 0, restarts: i % 5,
  terminating: false, createdAt: null, ownerName: null, labels: {} }));
const body = JSON.stringify({ items: pods, continueToken: null, clusters: [] });

const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), args: ['--no-sandbox', '--headless=new'] });
const results = [];
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await ctx.newPage();
  await page.goto(url + '/ui/');
  await page.fill('#signin-token', env('NOAH_TOKEN'));
  await page.click('#signin');
  await page.waitForSelector('#me');
  await page.route('**/api/v1/pods?*', (route) => route.fulfill({ contentType: 'application/json', body }));
  for (let r = 0; r < rounds; r++) {
    const t0 = Date.now();
    await page.goto(url + '/ui/pods?namespace=bench');
    await page.waitForSelector(`#pod-table[data-rows="${n}"] .vrow`);
    const firstView = Date.now() - t0;
    const domRows = await page.locator('#pod-table .vrow').count();
    // 40 jumps through the table: from each jump to the frame after it, and long tasks (> 50 ms) meanwhile
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector('#pod-table .vbody');
      const frames = [];
      const renders = [];
      let longTasks = 0;
      const obs = new PerformanceObserver((l) => { longTasks += l.getEntries().length; });
      obs.observe({ type: 'longtask' });
      for (let i = 1; i <= 40; i++) {
        const s = performance.now();
        el.scrollTop = (el.scrollHeight * i) / 40;
        el.dispatchEvent(new Event('scroll'));
        // Preact renders in a microtask: the script's own cost, before the browser lays out and paints
        await Promise.resolve();
        await Promise.resolve();
        renders.push(performance.now() - s);
        await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
        frames.push(performance.now() - s);
      }
      await new Promise((res) => setTimeout(res, 100));
      obs.disconnect();
      frames.sort((a, b) => a - b);
      renders.sort((a, b) => a - b);
      return { median: frames[20], max: frames[39], render: renders[20], longTasks, last: document.querySelector('#pod-table .vrow:last-child')?.textContent ?? '' };
    });
    if (!scroll.last.includes('bench-')) throw new Error('no rows after scrolling to the end');
    const sort = await page.evaluate(async () => {
      const s = performance.now();
      document.querySelectorAll('#pod-table .vhead .sortable')[5].click();
      await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
      return performance.now() - s;
    });
    const f0 = Date.now();
    await page.fill('#f-text', `bench-${n - 1}`);
    await page.locator('#f-text').press('Tab');
    await page.waitForSelector('#pod-table[data-rows="1"]');
    const filter = Date.now() - f0;
    // the peer: the same rows as a plain table, all in the DOM, until painted
    const plain = await page.evaluate(async (items) => {
      const s = performance.now();
      const t = document.createElement('table');
      t.innerHTML = items.map((p) => `<tr><td>${p.cluster}</td><td>${p.namespace}/${p.name}</td><td>${p.app}</td><td>${p.phase}</td><td>${p.ready ? '✓' : '·'}</td><td>${p.restarts}</td><td>${p.node}</td><td>${p.ip}</td><td><a>terminal</a><button>out of traffic</button><button>isolate</button></td></tr>`).join('');
      document.querySelector('main').append(t);
      await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
      const painted = performance.now() - s;
      const s2 = performance.now();
      window.scrollTo(0, document.body.scrollHeight / 2);
      await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
      const scrolled = performance.now() - s2;
      const rows = t.rows.length;
      t.remove();
      return { painted, scrolled, rows };
    }, pods);
    results.push({ firstView, domRows, render: scroll.render, scrollMedian: scroll.median, scrollMax: scroll.max, longTasks: scroll.longTasks, sort, filter, plain });
    console.log(`round ${r + 1}: first view ${firstView} ms, ${domRows} rows in the DOM, render ${scroll.render.toFixed(1)} ms, scroll frame median ${scroll.median.toFixed(1)} ms (max ${scroll.max.toFixed(1)}, ${scroll.longTasks} long tasks), sort ${sort.toFixed(1)} ms, filter ${filter} ms; plain table: ${plain.rows} rows painted in ${plain.painted.toFixed(0)} ms`);
  }
  const m = (f) => median(results.map(f));
  console.log(`UI-BENCH pods=${n} rounds=${rounds} first-view-ms=${m((x) => x.firstView)} dom-rows=${m((x) => x.domRows)} scroll-render-ms=${m((x) => x.render).toFixed(1)} scroll-frame-median-ms=${m((x) => x.scrollMedian).toFixed(1)} scroll-frame-max-ms=${m((x) => x.scrollMax).toFixed(1)} long-tasks=${m((x) => x.longTasks)} sort-ms=${m((x) => x.sort).toFixed(1)} filter-ms=${m((x) => x.filter)} plain-table-paint-ms=${m((x) => x.plain.painted).toFixed(0)}`);
} finally {
  await browser.close();
}

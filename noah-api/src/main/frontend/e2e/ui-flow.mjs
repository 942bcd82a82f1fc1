// The web pages in Debian's headless Chromium (playwright-core) against a real Noah on the two local clusters:
// sign in (session cookie, no token in the URL or the browser's storage), both clusters on the fleet page, a release started
// from the form, promoted with a reason while the counts change without a reload, rolled back; a terminal; a deep link that
// restores a filtered view; shortcuts and the dark theme; a viewer sees disabled actions with the reason; CSRF refused; sign-out.
// Screenshots go to SHOTS. The 5,000-pod table is measured by pods-table-bench.mjs.
// Environment: NOAH_URL, ADMIN_TOKEN, VIEWER_TOKEN, APP, NAMESPACE, CLUSTER_A, CLUSTER_B, SHOTS, CHROMIUM.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error('missing ' + k); })();
const url = env('NOAH_URL');
const [app, ns, ca, cb] = [env('APP'), env('NAMESPACE'), env('CLUSTER_A'), env('CLUSTER_B')];
const shots = env('SHOTS');
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), args: ['--no-sandbox', '--headless=new'] });
const step = (s) => console.log('step: ' + s);
const check = (cond, what) => { if (!cond) throw new Error('failed: ' + what); };
const t0 = Date.now();
const open = [];

async function signIn(page, token) {
  open.push(page);
  await page.goto(url + '/ui/');
  await page.fill('#signin-token', token);
  await page.click('#signin');
  await page.waitForSelector('#me');
}

async function withReason(page, button, reason) {
  await page.click(button);
  await page.fill('.dialog input[name=reason]', reason);
  await page.click('.dialog button[type=submit]');
  await page.waitForSelector('.dialog', { state: 'detached' });
}

const cell = (page, pool, role) => page.getAttribute(`#counts tr[data-pool="${pool}"] td.${role}`, 'data-ready').then(Number);
async function until(what, f, ms = 60000) {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for ' + what);
}

try {
  const admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await admin.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log('[page]', m.text()));

  step('sign in');
  await signIn(page, env('ADMIN_TOKEN'));
  const cookies = await admin.cookies();
  const sessionCookie = cookies.find((c) => c.name === 'NOAH_SESSION');
  check(sessionCookie && sessionCookie.httpOnly && sessionCookie.sameSite === 'Strict', 'an HttpOnly SameSite=Strict session cookie: ' + JSON.stringify(cookies));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href);
  check(!stored.includes(env('ADMIN_TOKEN')), 'no token in storage, readable cookies or the URL');

  step('fleet: both clusters');
  await page.waitForSelector(`.cluster[data-cluster="${ca}"]`);
  await page.waitForSelector(`.cluster[data-cluster="${cb}"]`);

  step('start a release from the form');
  await page.goto(`${url}/ui/releases/new?app=${app}&namespace=${ns}`);
  await page.waitForSelector('input[name=pool]');
  await until('two pools', async () => (await page.locator('input[name=pool]').count()) === 2);
  await page.fill('input[name=version]', 'v2');
  await page.fill('textarea[name=images]', `main=registry.local/${app}:2`);
  await page.fill('input[name=batches]', '1,1,1');
  await page.fill('input[name=reason]', 'CHG-42 from the web page');
  await until('a plan preview', async () => (await page.locator('#plan-preview tbody tr').count()) === 2);
  await page.screenshot({ path: shots + '/release-new.png', fullPage: true });
  await page.click('#start-release');
  await page.waitForURL((u) => /\/ui\/releases\/[0-9a-zA-Z-]+$/.test(u.pathname) && !u.pathname.endsWith('/new'));
  const releaseUrl = page.url();

  step('the release waits at its first gate; promote with a reason, counts change without a reload');
  await until('the first batch ready', async () => (await page.getAttribute('h1 .badge', 'data-state')) === 'waiting' && (await cell(page, ca, 'canary')) === 1);
  await page.goto(url + '/ui/');
  await page.waitForSelector('#attention');
  check((await page.textContent('#attention')).includes(app), 'the waiting release is in "needs attention"');
  await page.screenshot({ path: shots + '/fleet.png', fullPage: true });
  await page.goto(releaseUrl);
  await page.waitForSelector('#promote:not([disabled])');
  await page.evaluate(() => { window.__sameDocument = 'yes'; });
  await withReason(page, '#promote', 'batch 1 looks good');
  await until('the canary at 2 ready in ' + ca, async () => (await cell(page, ca, 'canary')) === 2);
  await until('waiting at step 2', async () => (await page.getAttribute('h1 .badge', 'data-state')) === 'waiting');
  check(await page.evaluate(() => window.__sameDocument === 'yes'), 'the counts changed without a reload');
  const history = await page.textContent('#history');
  check(history.includes('promoted') && history.includes('batch 1 looks good') && history.includes('bootstrap'), 'history shows who promoted and why: ' + history);
  await page.screenshot({ path: shots + '/release.png', fullPage: true });

  step('roll it back');
  await withReason(page, '#rollback', 'errors up after batch 2');
  await until('rolled back', async () => (await page.getAttribute('h1 .badge', 'data-state')) === 'rolled_back', 90000);
  check((await page.getAttribute('#promote', 'title')) === 'the release has ended', 'gates disabled once ended, with the reason');

  step('CSRF: a mutating call on the cookie without the header is refused');
  const csrf = await page.evaluate(async (u) => {
    const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    return r.status + ' ' + (await r.json()).code;
  }, releaseUrl.replace('/ui/releases/', '/api/v1/releases/') + '/pause');
  check(csrf === '403 csrf', 'CSRF refused: ' + csrf);

  step('a terminal from the page');
  // a pod Ready now (the release replaced the ones there were at the start)
  const pod = await page.evaluate(async (q) => (await (await fetch('/api/v1/pods' + q)).json()).items.find((p) => !p.terminating).name,
    `?cluster=${ca}&namespace=${ns}&ready=true`);
  await page.goto(`${url}/ui/terminal?cluster=${ca}&namespace=${ns}&pod=${pod}`);
  await page.fill('#reason', 'OPS-7 look at the pod');
  await page.click('#connect');
  await page.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('echo hello\r');
  await until('hello on the screen', async () => (await page.evaluate(() => [...document.querySelectorAll('.xterm-rows > div')].map((r) => r.textContent.trimEnd()))).includes('hello'), 15000);
  await page.screenshot({ path: shots + '/terminal.png' });
  await page.keyboard.type('exit\r');
  await page.waitForSelector('#status[data-state="ended"]');

  step('the app page and a batch exec over the app in both clusters');
  await page.goto(`${url}/ui/apps/${app}`);
  await until('a Deployment per cluster', async () => (await page.locator('#app-deployments tbody tr').count()) === 2);
  await page.waitForSelector('#pod-table .vrow');
  await page.screenshot({ path: shots + '/app.png', fullPage: true });
  await page.goto(`${url}/ui/exec?app=${app}&namespace=${ns}`);
  await page.fill('input[name=command]', 'echo same');
  await page.fill('input[name=reason]', 'OPS-8 check every pod');
  await page.click('#run-exec');
  await page.waitForURL((u) => /\/ui\/exec\/[^/]+$/.test(u.pathname));
  await page.waitForSelector('#exec-groups .group', { timeout: 30000 });
  const groups = await page.$$eval('#exec-groups .group', (gs) => gs.map((g) => g.getAttribute('data-count')));
  check(groups.length === 1 && groups[0] === '6', 'one group of 6 pods: ' + groups);
  await page.screenshot({ path: shots + '/exec.png', fullPage: true });

  step('a deep link restores a filtered view');
  await page.goto(`${url}/ui/pods?cluster=${cb}&app=${app}`);
  await until('3 pods of cluster B', async () => (await page.getAttribute('#pod-table', 'data-rows')) === '3');
  check((await page.inputValue('#f-cluster')) === cb && (await page.inputValue('#f-app')) === app, 'filters restored from the URL');
  const clustersShown = await page.locator('#pod-table .vrow > div:first-child').allTextContents();
  check(clustersShown.every((t) => t.includes(cb)), 'only cluster B: ' + clustersShown);
  await page.selectOption('#f-cluster', ca);
  await until('URL follows the filter', async () => page.url().includes('cluster=' + ca));
  await page.screenshot({ path: shots + '/pods.png', fullPage: true });

  step('keyboard: ? sheet, g r, d theme');
  await page.keyboard.press('?');
  await page.waitForSelector('#shortcuts');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#shortcuts', { state: 'detached' });
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await page.waitForURL(/\/ui\/releases$/);
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.keyboard.press('d');
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  check(before !== after, 'theme switched');
  await page.goto(url + '/ui/');
  await page.waitForSelector(`.cluster[data-cluster="${cb}"]`);
  await page.screenshot({ path: shots + `/fleet-${after}.png`, fullPage: true });
  await page.evaluate(() => localStorage.removeItem('noah.theme'));

  step('every page renders without a script error');
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(page.url() + ': ' + e.message));
  for (const path of ['', 'apps', 'pods', 'releases', 'releases/new', 'exec', 'nodes', 'autoscalers', 'migrations', 'advice', 'alerts', 'audit', 'tokens']) {
    await page.goto(`${url}/ui/${path}`);
    await page.waitForSelector('main h1');
    await page.waitForLoadState('networkidle');
  }
  check(pageErrors.length === 0, 'no script errors: ' + pageErrors.join('; '));
  await page.goto(`${url}/ui/migrations`);
  await page.waitForSelector('#migration-form');
  await page.screenshot({ path: shots + '/migrations.png', fullPage: true });

  step('a viewer sees disabled actions with the reason');
  const viewerCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const viewer = await viewerCtx.newPage();
  await signIn(viewer, env('VIEWER_TOKEN'));
  check((await viewer.getAttribute('#me', 'data-role')) === 'VIEWER', 'signed in as a viewer');
  await viewer.goto(releaseUrl);
  await viewer.waitForSelector('#rollback');
  check(await viewer.isDisabled('#rollback'), 'rollback disabled for a viewer');
  check((await viewer.getAttribute('#rollback', 'data-denied')) === 'viewers may only look', 'the reason is shown');
  await viewer.goto(url + '/ui/tokens');
  await viewer.waitForSelector('#tokens-denied');
  await viewer.goto(`${url}/ui/nodes?cluster=${ca}`);
  await viewer.waitForSelector('label.node input');
  await viewer.locator('label.node input').first().check();
  await until('the selection in the URL', async () => viewer.url().includes('sel='));
  const selectedLink = viewer.url();
  await viewer.goto(selectedLink);
  await viewer.waitForSelector('label.node input:checked');
  check((await viewer.textContent('#node-actions')).includes('1 selected'), 'a link restores the node selection');
  check(await viewer.isDisabled('#preflight-drain'), 'drain disabled for a viewer');
  await viewer.screenshot({ path: shots + '/nodes-viewer.png', fullPage: true });

  step('sign out ends the session');
  await viewer.click('#signout');
  await viewer.waitForSelector('#signin-token');
  const after401 = await viewer.evaluate(async () => (await fetch('/api/v1/session')).status);
  check(after401 === 401, 'the session is gone after sign-out: ' + after401);

  console.log(`ui flow ok in ${Math.round((Date.now() - t0) / 1000)} s`);
} catch (e) {
  // what each page showed when it failed
  for (const [i, p] of open.entries()) {
    console.log(`--- page ${i}: ${p.url()}\n` + (await p.evaluate(() => document.body.innerText).catch(() => '?')).slice(0, 3000));
  }
  throw e;
} finally {
  await browser.close();
}

// The terminal page in headless Chromium (Debian's, driven by playwright-core): sign in, open it for a pod, connect, type
// `echo hello`, see `hello` on a line of its own, resize the window and see `stty size` follow, exit and see the code.
// Environment: NOAH_URL, NOAH_TOKEN, CLUSTER, NAMESPACE, POD, CHROMIUM (default /usr/bin/chromium). Exit 0 when all held.
import { chromium } from 'playwright-core';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error('missing ' + k); })();
const url = `${env('NOAH_URL')}/ui/terminal?cluster=${env('CLUSTER')}&namespace=${env('NAMESPACE')}&pod=${env('POD')}`;
const browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), args: ['--no-sandbox', '--headless=new'] });
const rows = () => page.evaluate(() => [...document.querySelectorAll('.xterm-rows > div')].map((r) => r.textContent.trimEnd()));
const waitForRow = async (pred, what) => {
  const t0 = Date.now();
  while (Date.now() - t0 < 15000) {
    if ((await rows()).some(pred)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`no row ${what}; the screen:\n${(await rows()).join('\n')}`);
};
let page;
try {
  page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  page.on('console', (m) => console.log('[page]', m.text()));
  // sign in once (the session cookie then authenticates the page's calls); the deep link opens the terminal
  await page.goto(url);
  await page.fill('#signin-token', env('NOAH_TOKEN'));
  await page.click('#signin');
  await page.waitForSelector('#reason');
  await page.fill('#reason', 'OPS-10 from the browser');
  await page.click('#connect');
  await page.waitForSelector('#status[data-state="open"]', { timeout: 15000 });
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('echo hello\r');
  await waitForRow((r) => r === 'hello', '"hello"');
  await page.keyboard.type('stty size\r');
  await page.setViewportSize({ width: 640, height: 400 });
  await page.waitForTimeout(500);
  await page.keyboard.type('stty size; echo sized\r');
  await waitForRow((r) => r === 'sized', '"sized"');
  const sizes = (await rows()).filter((r) => /^\d+ \d+$/.test(r));
  if (sizes.length < 2 || sizes[0] === sizes[sizes.length - 1]) throw new Error('stty size did not follow the resize: ' + sizes);
  await page.keyboard.type('exit 3\r');
  await page.waitForSelector('#status[data-state="ended"]', { timeout: 10000 });
  const status = await page.textContent('#status');
  if (!status.includes('exit 3')) throw new Error('status after exit: ' + status);
  console.log('terminal page ok: hello seen, sizes ' + sizes.join(' → ') + ', ' + status);
} finally {
  await browser.close();
}

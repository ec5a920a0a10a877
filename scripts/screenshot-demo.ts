// `npm run demo:screenshot`: runs the demo's race in headless Chromium and saves the page as
// docs/demo.png (the README shows it). Run it on a quiet machine: the race is real.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch } from './chromium.js';
import { serve } from './serve.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = fileURLToPath(new URL('../docs/demo.png', import.meta.url));
const served = await serve(root);
const browser = await launch({ viewport: { width: 1200, height: 900 } });
try {
  const { page, errors } = await browser.page();
  await page.goto(`${served.url}demo/`);
  await page.waitForSelector('html[data-backend]');
  for (const size of ['256', '4096', '65536', '1048576']) await page.setChecked(`input[name=size][value="${size}"]`, size !== '256');
  await page.check('input[name=millis][value="1500"]');
  await page.click('#start');
  await page.waitForSelector('html[data-race="done"], html[data-race="failed"]', { timeout: 300_000 });
  if (errors.length > 0) throw new Error(`the demo logged errors: ${errors.join('; ')}`);
  mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
  await page.screenshot({ path: output, fullPage: true });
  console.log(`wrote ${output} (backend ${await page.getAttribute('html', 'data-backend')})`);
} finally {
  await browser.close();
  await served.close();
}

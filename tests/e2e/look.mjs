// Screenshots of the built app (dist/) to look at by hand:
//   node look.mjs LOCALE SCHEME OUTDIR WIDTH   (IDS=card,card,... picks the cards)
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { join } from 'node:path';
const [locale = 'fr-FR', scheme = 'light', out = '/tmp/shots', width = '1280'] = process.argv.slice(2);
const server = await serve(join(import.meta.dirname, '..', '..', 'dist'));
const base = `http://127.0.0.1:${server.address().port}/seglens/`;
const browser = await launch();
const ctx = await browser.newContext({ locale, colorScheme: scheme, viewport: { width: Number(width), height: 1000 } });
const p = await ctx.newPage();
p.on('pageerror', (e) => console.error('page error:', e.message));
await p.goto(base);
await p.getByTestId('explore-demo').click();
await p.getByTestId('tour').waitFor();
await p.waitForTimeout(800);
await p.screenshot({ path: join(out, `${locale}-${scheme}-${width}-tour1.png`) });
await p.getByTestId('tour-next').click();
await p.getByTestId('tour-next').click();
await p.waitForTimeout(800);
await p.screenshot({ path: join(out, `${locale}-${scheme}-${width}-tour3.png`) });
await p.getByTestId('tour-skip').click();
await p.evaluate(() => window.scrollTo(0, 0));
await p.waitForTimeout(300);
await p.screenshot({ path: join(out, `${locale}-${scheme}-${width}-top.png`) });
for (const id of (process.env.IDS ?? 'rfm-chart,kpis,goals,predictions,import-report,suggestions,rfm-editor,rule-builder').split(',')) {
  const el = p.getByTestId(id).first();
  if (await el.count()) {
    await el.scrollIntoViewIfNeeded();
    await el.screenshot({ path: join(out, `${locale}-${scheme}-${width}-${id}.png`) });
  }
}
await browser.close();
server.close();

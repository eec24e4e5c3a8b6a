// The release build served under /seglens/ and a headless Chromium, for a
// test file that opens its own fresh browser contexts.
import { join } from 'node:path';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { root } from './counts.mjs';

export const dist = process.env.SEGLENS_DIST ?? join(root, 'dist');

/** Serves the site and launches the browser: `{ base, browser, close }`. */
export async function startSite() {
  const server = await serve(dist);
  const browser = await launch();
  return {
    base: `http://127.0.0.1:${server.address().port}/seglens/`,
    browser,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

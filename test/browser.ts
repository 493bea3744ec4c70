import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for browser tests. `DRIFTWARDEN_CHROMIUM` names a system browser; otherwise the
 * one shipped inside the `@sparticuz/chromium` dev dependency is unpacked, so a fresh machine needs
 * nothing beyond `npm ci`.
 */
export async function launchChromium(): Promise<Browser> {
  const systemBrowser = process.env.DRIFTWARDEN_CHROMIUM;
  if (systemBrowser) return chromium.launch({ executablePath: systemBrowser, args: ['--headless', '--no-sandbox'] });
  const { default: packaged } = await import('@sparticuz/chromium');
  return chromium.launch({ executablePath: await packaged.executablePath(), args: packaged.args, headless: true });
}

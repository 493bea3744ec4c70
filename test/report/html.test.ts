import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import demoAccount from '../../demo/account.json';
import { renderHtml } from '../../lib/report/html';
import { scan } from '../../lib/scan';
import { parseSettings } from '../../lib/settings';
import { readSnapshot } from '../../lib/sources/snapshot';
import { RULES } from '../../rules';
import { launchChromium } from '../browser';
import { NOW } from '../helpers';

const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'report.png');

// Starting Chromium on a busy two-core machine can take longer than jest's default 5 s.
const BROWSER_TIMEOUT = 60_000;

describe('Report: HTML in a browser', () => {
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const report = scan(readSnapshot(demoAccount, { kind: 'demo' }), { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    const file = join(mkdtempSync(join(tmpdir(), 'driftwarden-html-')), 'report.html');
    writeFileSync(file, renderHtml(report, NOW));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the counts by severity and rule, the chart and every finding, with no external request', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url);
    expect(await page.locator('.card[data-severity="high"] .count').textContent()).toBe('2');
    expect(await page.locator('.card[data-severity="medium"] .count').textContent()).toBe('2');
    expect(await page.locator('#totals').textContent()).toContain('4 findings, 1 exempt, 9 compliant');
    expect(await page.locator('#rules tr[data-rule="public-app-ports"] td.num').first().textContent()).toBe('1');
    expect(await page.locator('svg[aria-label="Findings by severity"] rect').count()).toBe(4);
    const findings = page.locator('#findings tr.finding');
    expect(await findings.count()).toBe(4);
    expect(await findings.filter({ hasText: 'web-prod-app' }).textContent()).toContain('Open to the internet: tcp 4000 from 0.0.0.0/0; tcp 5173 from 0.0.0.0/0');
    expect(await page.locator('#exempt tr.finding').textContent()).toContain('Exempt: break-glass bastion');
    expect(requests).toEqual([url]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);
});

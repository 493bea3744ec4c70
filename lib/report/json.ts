import type { ScanReport } from '../scan';

/** DESIGN.md's CLI output contract: `{ summary, findings }`, every evaluation with every verdict. */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify({ summary: { source: report.origin, ...report.summary }, findings: report.evaluations }, null, 2)}\n`;
}

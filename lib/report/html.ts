import type { Evaluation } from '../evaluate';
import { SEVERITIES, type Severity } from '../rule';
import { isUnknown, type ScanReport } from '../scan';
import { byRuleThenResource, describeSource, findingsBySeverity, incompleteNotes, resourceLabel, skippedNote } from './common';
import { accountHtmlSection, accountsOf } from '../organization/report';

/** One self-contained page: inline CSS and SVG, no script, no external asset. */

const COLOURS: Record<Severity, string> = { critical: '#7b1fa2', high: '#c62828', medium: '#ef6c00', low: '#0277bd' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Horizontal bars, one per severity, scaled to the largest count. */
function severityChart(counts: Record<Severity, number>): string {
  const max = Math.max(1, ...SEVERITIES.map((severity) => counts[severity]));
  const rowHeight = 34;
  const labelWidth = 90;
  const barWidth = 360;
  const bars = SEVERITIES.map((severity, index) => {
    const y = index * rowHeight + 6;
    const width = Math.round((counts[severity] / max) * barWidth);
    return (
      `<text x="0" y="${y + 17}" class="label">${severity}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${width}" height="24" rx="3" fill="${COLOURS[severity]}"><title>${counts[severity]} ${severity}</title></rect>` +
      `<text x="${labelWidth + width + 8}" y="${y + 17}" class="value">${counts[severity]}</text>`
    );
  }).join('');
  const height = SEVERITIES.length * rowHeight + 6;
  return `<svg role="img" aria-label="Findings by severity" width="${labelWidth + barWidth + 50}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 50} ${height}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

function findingRow(evaluation: Evaluation, verdict: string): string {
  return (
    `<tr class="finding ${evaluation.severity}" data-rule="${escapeHtml(evaluation.ruleId)}">` +
    `<td><span class="badge" style="background:${COLOURS[evaluation.severity]}">${evaluation.severity}</span></td>` +
    `<td>${escapeHtml(evaluation.ruleId)}</td>` +
    `<td><code>${escapeHtml(resourceLabel(evaluation))}</code><div class="type">${escapeHtml(evaluation.resourceType)}${evaluation.address ? ` · ${escapeHtml(evaluation.resourceId)}` : ''}</div></td>` +
    `<td>${escapeHtml(evaluation.annotation)}${verdict}</td></tr>`
  );
}

export function renderHtml(report: ScanReport, generatedAt: Date): string {
  const { summary } = report;
  const findings = [...findingsBySeverity(report).values()].flat();
  const unknown = report.evaluations.filter(isUnknown).sort(byRuleThenResource);
  const exempt = report.evaluations.filter((evaluation) => evaluation.compliance === 'NON_COMPLIANT' && evaluation.exemption).sort(byRuleThenResource);
  const cards = SEVERITIES.map(
    (severity) => `<div class="card" data-severity="${severity}" style="border-color:${COLOURS[severity]}"><div class="count">${summary.findingsBySeverity[severity]}</div><div>${severity}</div></div>`,
  ).join('');
  const ruleRows = Object.entries(summary.byRule)
    .map(
      ([ruleId, tally]) =>
        `<tr data-rule="${escapeHtml(ruleId)}"><td>${escapeHtml(ruleId)}<div class="type">${escapeHtml(tally.title)}</div></td><td>${tally.severity}</td><td class="num">${tally.nonCompliant}</td><td class="num">${tally.insufficientData}</td><td class="num">${tally.exempt}</td><td class="num">${tally.compliant}</td><td class="num">${tally.notApplicable}</td></tr>`,
    )
    .join('');
  const findingRows = findings.map((evaluation) => findingRow(evaluation, '')).join('') || '<tr><td colspan="4">No findings.</td></tr>';
  const unknownRows = unknown.map((evaluation) => findingRow(evaluation, '')).join('');
  const exemptRows = exempt
    .map((evaluation) => findingRow(evaluation, `<div class="exempt">Exempt: ${escapeHtml(evaluation.exemption!.reason)}${evaluation.exemption!.until ? ` (until ${escapeHtml(evaluation.exemption!.until)})` : ''}</div>`))
    .join('');
  const accounts = accountsOf(report);
  const notes = [skippedNote(report), summary.destroyed > 0 ? `Not evaluated: ${summary.destroyed} resource(s) the plan destroys.` : undefined].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>driftwarden report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;font-size:1.2rem}.meta{color:#666}
.cards{display:flex;gap:1rem;margin:1.2rem 0}.card{border-left:6px solid;padding:.6rem 1rem;background:#f6f6f8;min-width:110px;text-transform:capitalize}
.count{font-size:1.8rem;font-weight:700}.overview{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e3e8;vertical-align:top}
th{background:#f0f0f4}.num{text-align:right}.type{color:#666;font-size:12px}.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;text-transform:uppercase}
code{font-size:13px}.exempt{color:#1565c0;font-size:12px;margin-top:.2rem}.incomplete{border-left:6px solid #c62828;background:#fdecea;padding:.6rem 1rem}svg .label{font-size:13px;text-transform:capitalize}svg .value{font-size:13px;font-weight:600}
</style></head><body>
<h1>driftwarden report</h1>
<div class="meta">Source: ${escapeHtml(describeSource(report))} · generated ${generatedAt.toISOString()}</div>
<div class="cards">${cards}</div>
<p id="totals">${summary.nonCompliant} findings, ${summary.insufficientData > 0 ? `${summary.insufficientData} unknown, ` : ''}${summary.exempt} exempt, ${summary.compliant} compliant, ${summary.notApplicable} not applicable — ${summary.evaluations} evaluations of ${summary.resources} resources.</p>
${summary.incomplete.length > 0 ? `<div id="incomplete" class="incomplete"><strong>Incomplete scan: ${summary.incomplete.length} listing(s) could not be read; what they hold was not judged.</strong><ul>${incompleteNotes(report).map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></div>` : ''}
${notes.map((note) => `<p class="meta">${escapeHtml(note!)}</p>`).join('')}
<div class="overview">
<section><h2>Findings by severity</h2>${severityChart(summary.findingsBySeverity)}</section>
<section style="flex:1"><h2>By rule</h2><table id="rules"><thead><tr><th>Rule</th><th>Severity</th><th class="num">Findings</th><th class="num">Unknown</th><th class="num">Exempt</th><th class="num">Compliant</th><th class="num">N/A</th></tr></thead><tbody>${ruleRows}</tbody></table></section>
</div>
${accounts ? accountHtmlSection(accounts, escapeHtml) : ''}
<h2>Findings</h2>
<table id="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>What is wrong</th></tr></thead><tbody>${findingRows}</tbody></table>
${unknownRows ? `<h2>Unknown</h2><table id="unknown"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Why it cannot be told</th></tr></thead><tbody>${unknownRows}</tbody></table>` : ''}
${exemptRows ? `<h2>Exempt</h2><table id="exempt"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>What is wrong</th></tr></thead><tbody>${exemptRows}</tbody></table>` : ''}
</body></html>
`;
}

import type { ScanReport } from '../scan';
import type { AccountSummary, OrganizationScanSummary } from './org-scan';

/** The per-account summary of an organization scan; undefined for a one-account report. */
export function accountsOf(report: ScanReport): readonly AccountSummary[] | undefined {
  return (report.summary as Partial<OrganizationScanSummary>).accounts;
}

function status(account: AccountSummary): string {
  if (!account.scanned) return 'not scanned';
  return account.incomplete > 0 ? `incomplete (${account.incomplete})` : 'scanned';
}

/** The table's account breakdown: one line per account, those with findings or problems first. */
export function accountTableLines(accounts: readonly AccountSummary[]): string[] {
  const ordered = [...accounts].sort((a, b) => Number(a.scanned) - Number(b.scanned) || b.findings - a.findings || a.accountId.localeCompare(b.accountId));
  const nameWidth = Math.max(4, ...ordered.map((account) => account.accountName.length));
  return [
    `ACCOUNTS (${accounts.length}, ${accounts.filter((account) => !account.scanned).length} not scanned)`,
    `  ${'account'.padEnd(12)}  ${'name'.padEnd(nameWidth)}  ${'findings'.padStart(8)}  ${'resources'.padStart(9)}  status`,
    ...ordered.map((account) => `  ${account.accountId}  ${account.accountName.padEnd(nameWidth)}  ${String(account.findings).padStart(8)}  ${String(account.resources).padStart(9)}  ${status(account)}`),
    '',
  ];
}

/** The HTML report's account breakdown. */
export function accountHtmlSection(accounts: readonly AccountSummary[], escapeHtml: (text: string) => string): string {
  const rows = accounts
    .map(
      (account) =>
        `<tr data-account="${account.accountId}"><td><code>${account.accountId}</code></td><td>${escapeHtml(account.accountName)}</td><td class="num">${account.findings}</td><td class="num">${account.resources}</td><td class="num">${account.evaluations}</td><td>${status(account)}</td></tr>`,
    )
    .join('');
  return `<h2>By account</h2><table id="accounts"><thead><tr><th>Account</th><th>Name</th><th class="num">Findings</th><th class="num">Resources</th><th class="num">Evaluations</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

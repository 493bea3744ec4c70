import type { Alert } from './alert';
import {
  actorShort,
  bySeverity,
  cut,
  digestRows,
  formatTime,
  headline,
  plannedResponse,
  remediationReport,
  resourceLabel,
  scopeLabel,
  severityCounts,
  sinceLine,
  whatIsWrong,
} from './describe';
import { cloudTrailEventUrl, configResourceUrl, configRuleUrl, exemptionCommand, resourceConsoleUrl } from './links';

/** SNS rejects subjects of 100 characters or more, and mangles non-ASCII or control characters. */
export const MAX_SUBJECT_LENGTH = 99;

export interface EmailMessage {
  subject: string;
  body: string;
}

function asciiSubject(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The subject names severity, rule and resource. When it does not fit, the resource is shortened
 * first (its id is in the body), then the whole line is cut.
 */
function subjectOf(prefix: string, resource: string, suffix: string): string {
  const fixed = asciiSubject(`${prefix}${suffix}`);
  let label = asciiSubject(resource);
  const room = MAX_SUBJECT_LENGTH - fixed.length;
  if (label.length > room) label = room > 8 ? `${label.slice(0, room - 3)}...` : '';
  return cut(asciiSubject(`${prefix}${label}${suffix}`), MAX_SUBJECT_LENGTH, '...');
}

function section(title: string, lines: readonly string[]): string {
  return [title, ...lines.map((line) => (line ? `  ${line}` : ''))].join('\n');
}

function whoSection(alert: Alert): string {
  const { actor } = alert;
  if (!actor.known) return section('WHO CHANGED IT', [`unknown: ${actor.reason}`]);
  return section('WHO CHANGED IT', [
    `API call:    ${actor.apiCall}${actor.eventSource ? ` (${actor.eventSource})` : ''}`,
    `Principal:   ${actor.principalArn} (${actor.identityType})`,
    ...(actor.roleArn ? [`Role:        ${actor.roleArn}`] : []),
    ...(actor.sessionName ? [`Session:     ${actor.sessionName}`] : []),
    `Source IP:   ${actor.sourceIp ?? 'not recorded'}`,
    `Time:        ${formatTime(actor.time)}`,
    `CloudTrail:  ${cloudTrailEventUrl(alert.region, actor.cloudTrailEventId)}`,
  ]);
}

/** `123456789012 "payments-prod"` where the name is known. */
function accountLabel(alert: Alert): string {
  return alert.accountName !== undefined ? `${alert.accountId} "${alert.accountName}"` : alert.accountId;
}

function intro(alert: Alert): string {
  const where = `AWS account ${accountLabel(alert)} (${alert.region})`;
  switch (alert.kind) {
    case 'new':
      return `driftwarden found a ${alert.severity.toUpperCase()} severity problem in ${where}.`;
    case 'resolved':
      return `Follow-up: a ${alert.severity.toUpperCase()} severity finding in ${where} is resolved.`;
    case 'remediation':
      return `Follow-up: driftwarden's remediation of a ${alert.severity.toUpperCase()} severity finding in ${where}: ${alert.result?.outcome ?? 'reported'}.`;
  }
}

export function renderEmail(alert: Alert): EmailMessage {
  // An ARN id (secrets, topics) would fill the subject: its name says the same in fewer characters.
  const label = alert.resourceId.startsWith('arn:') && alert.resourceName ? alert.resourceName : resourceLabel(alert);
  const subject = subjectOf(`[${alert.kind === 'resolved' ? 'RESOLVED ' : ''}${alert.severity.toUpperCase()}] ${alert.ruleId}: `, label, ` ${headline(alert)}`);
  const result = alert.result;
  const parts = [
    intro(alert),
    section({ new: 'WHAT IS WRONG', resolved: 'WHAT CHANGED', remediation: 'WHAT THIS IS ABOUT' }[alert.kind], [`${alert.ruleTitle} (rule ${alert.ruleId})`, whatIsWrong(alert)]),
    section('WHERE', [
      `Account:        ${accountLabel(alert)}`,
      `Region:         ${alert.region}`,
      `Resource type:  ${alert.resourceType}`,
      `Resource id:    ${alert.resourceId}`,
      `Resource name:  ${alert.resourceName ?? 'not recorded'}`,
      sinceLine(alert),
    ]),
    whoSection(alert),
    alert.kind === 'resolved'
      ? section('WHAT DRIFTWARDEN DOES', ['Nothing more: the finding is closed.'])
      : section(alert.kind === 'remediation' ? 'WHAT DRIFTWARDEN DID' : 'WHAT DRIFTWARDEN DOES', [
          alert.kind === 'remediation' ? remediationReport(alert) : plannedResponse(alert),
          ...(result && result.actions.length > 0 ? ['Actions:', ...result.actions.map((action) => `- ${action}`)] : []),
          ...(result ? [`Audit record: ${result.auditId}`] : []),
        ]),
    ...(result?.manual ? [section('WHAT YOU NEED TO DO', [`driftwarden does not do this itself: ${result.manual.reason}`, '', ...result.manual.commands])] : []),
    ...(alert.kind === 'resolved'
      ? []
      : [
          section('HOW TO EXEMPT THIS RESOURCE', [
            'Tag it with the reason and an end date; driftwarden reports it but leaves it alone until then:',
            exemptionCommand(alert),
          ]),
        ]),
    section('LINKS', [`Resource:        ${resourceConsoleUrl(alert)}`, `In AWS Config:   ${configResourceUrl(alert)}`, `Config rule:     ${configRuleUrl(alert)}`]),
    `-- driftwarden (Config rule ${alert.configRuleName}, event ${alert.eventId})`,
  ];
  return { subject, body: `${parts.join('\n\n')}\n` };
}

const DIGEST_LINE_ANNOTATION = 140;

function digestLine(alert: Alert): string {
  const detail = alert.kind === 'remediation' ? remediationReport(alert) : whatIsWrong(alert);
  return [
    `- [${alert.severity.toUpperCase()}] ${headline(alert)}: ${alert.ruleId} ${alert.resourceType} ${resourceLabel(alert)} (${alert.accountId} ${alert.region})`,
    `    ${cut(detail, DIGEST_LINE_ANNOTATION)}`,
    `    changed by: ${actorShort(alert.actor)}; ${resourceConsoleUrl(alert)}`,
  ].join('\n');
}

/** One message for many alerts: counts per rule and severity, then the first `size` resources. */
export function renderEmailDigest(alerts: readonly Alert[], size: number): EmailMessage {
  const sorted = [...alerts].sort(bySeverity);
  const subject = subjectOf(`[driftwarden] Digest: ${alerts.length} alerts (`, severityCounts(alerts), `) in ${scopeLabel(alerts)}`);
  const rows = digestRows(alerts);
  const ruleWidth = Math.max(4, ...rows.map((row) => row.ruleId.length));
  const table = [
    `${'rule'.padEnd(ruleWidth)}  severity  new  resolved  remediation`,
    ...rows.map(
      (row) =>
        `${row.ruleId.padEnd(ruleWidth)}  ${row.severity.padEnd(8)}  ${String(row.counts.new).padStart(3)}  ${String(row.counts.resolved).padStart(8)}  ${String(row.counts.remediation).padStart(11)}`,
    ),
  ];
  const shown = sorted.slice(0, size);
  const rest = sorted.length - shown.length;
  const rulesInDigest = [...new Map(sorted.map((alert) => [alert.configRuleName, alert])).values()];
  const parts = [
    `driftwarden has ${alerts.length} alerts at once, so they are grouped in this one message instead of ${alerts.length} messages.`,
    section('BY RULE AND SEVERITY', table),
    section(`FIRST ${shown.length} OF ${alerts.length}, MOST SEVERE FIRST`, shown.map(digestLine).join('\n').split('\n')),
    section(
      rest > 0 ? `... and ${rest} more. Every one is listed in AWS Config under its rule:` : 'RULES IN AWS CONFIG',
      rulesInDigest.map((alert) => `${alert.configRuleName}: ${configRuleUrl(alert)}`),
    ),
    'To exempt a resource, tag it driftwarden:exempt=<reason> and driftwarden:exempt-until=<YYYY-MM-DD>.',
    '-- driftwarden',
  ];
  return { subject, body: `${parts.join('\n\n')}\n` };
}

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
import { cloudTrailEventUrl, configRuleUrl, resourceConsoleUrl } from './links';
import { EXEMPT_TAG, EXEMPT_UNTIL_TAG } from '../exemption';

/** Block Kit's documented limits (docs.slack.dev, "Block Kit" reference), enforced while rendering. */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  actionsElements: 25,
  /** Slack answers `msg_blocks_too_long` well below the sum of the per-block limits; stay under it. */
  totalBlockText: 12000,
  /** The notification text; Slack truncates beyond 40,000, and a notification shows far less. */
  fallbackText: 3000,
} as const;

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: TextObject & { type: 'plain_text' } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: { type: 'button'; text: TextObject & { type: 'plain_text' }; url: string; action_id: string }[] };

export interface SlackMessage {
  /** Shown in notifications and read by screen readers; every message has it. */
  text: string;
  blocks: SlackBlock[];
}

/** A runbook longer than this is cut inside its code block, so the block stays closed and within limits. */
const RUNBOOK_LENGTH = 2500;

const SEVERITY_EMOJI: Record<Alert['severity'], string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
};

const OUTCOME_EMOJI = { planned: ':memo:', applied: ':wrench:', skipped: ':fast_forward:', failed: ':x:' } as const;

function emojiFor(alert: Alert): string {
  if (alert.kind === 'resolved') return ':white_check_mark:';
  if (alert.kind === 'remediation' && alert.result) return OUTCOME_EMOJI[alert.result.outcome];
  return SEVERITY_EMOJI[alert.severity];
}

/** mrkdwn treats &, < and > as control characters: user data must not open links or mentions. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, then cut to `max` without leaving half an entity (`&am…`) at the end. */
function escapedWithin(text: string, max: number): string {
  return cut(escapeMrkdwn(text), max).replace(/&[a-z]{0,3}…$/, '…');
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label.replace(/\|/g, '/'))}>`;
}

function mrkdwn(text: string, max: number = BLOCK_KIT_LIMITS.sectionText): TextObject {
  return { type: 'mrkdwn', text: cut(text, max) };
}

function header(text: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: cut(text, BLOCK_KIT_LIMITS.headerText), emoji: true } };
}

function button(text: string, url: string, actionId: string): { type: 'button'; text: TextObject & { type: 'plain_text' }; url: string; action_id: string } | undefined {
  if (url.length > BLOCK_KIT_LIMITS.buttonUrl) return undefined;
  return { type: 'button', text: { type: 'plain_text', text: cut(text, BLOCK_KIT_LIMITS.buttonText) }, url, action_id: actionId };
}

function whoText(alert: Alert): string {
  const { actor } = alert;
  if (!actor.known) return `*Who changed it:* unknown (${escapeMrkdwn(actor.reason)})`;
  const who = actor.roleArn ? `${code(actor.roleArn)}${actor.sessionName ? `, session ${code(actor.sessionName)}` : ''}` : code(actor.principalArn);
  return (
    `*Who changed it:* ${code(actor.apiCall)} by ${who}` +
    `${actor.sourceIp ? ` from ${code(actor.sourceIp)}` : ''} at ${formatTime(actor.time)}`
  );
}

function doneText(alert: Alert): string {
  if (alert.kind === 'resolved') return '*What driftwarden does:* nothing more; the finding is closed.';
  if (alert.kind === 'new') return `*What driftwarden does:* ${escapeMrkdwn(plannedResponse(alert))}`;
  const actions = alert.result?.actions ?? [];
  return `*What driftwarden did:* ${escapeMrkdwn(remediationReport(alert))}${actions.length ? `\n${actions.map((action) => `• ${escapeMrkdwn(action)}`).join('\n')}` : ''}`;
}

/** Slack renders the fallback `text` as mrkdwn in notifications: it is escaped like the blocks. */
function fallbackText(alert: Alert): string {
  return escapedWithin(
    `${alert.severity.toUpperCase()} ${alert.ruleId}: ${alert.resourceType} ${resourceLabel(alert)} ${headline(alert)} in ${alert.accountId} ${alert.region}. ` +
      `${whatIsWrong(alert)} Changed by: ${actorShort(alert.actor)}.`,
    BLOCK_KIT_LIMITS.fallbackText,
  );
}

export function renderSlack(alert: Alert): SlackMessage {
  const buttons = [
    button('Open resource', resourceConsoleUrl(alert), 'open-resource'),
    button('Config rule', configRuleUrl(alert), 'open-config-rule'),
    ...(alert.actor.known ? [button('CloudTrail event', cloudTrailEventUrl(alert.region, alert.actor.cloudTrailEventId), 'open-cloudtrail-event')] : []),
  ].filter((element) => element !== undefined);
  const blocks: SlackBlock[] = [
    header(`${emojiFor(alert)} ${alert.severity.toUpperCase()} · ${alert.ruleId} · ${headline(alert)}`),
    {
      type: 'section',
      text: mrkdwn(`*${escapeMrkdwn(alert.ruleTitle)}*\n${code(resourceLabel(alert))}\n${escapeMrkdwn(whatIsWrong(alert))}`),
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Account*\n${alert.accountId}${alert.accountName !== undefined ? ` (${alert.accountName})` : ''}`, BLOCK_KIT_LIMITS.fieldText),
        mrkdwn(`*Region*\n${alert.region}`, BLOCK_KIT_LIMITS.fieldText),
        mrkdwn(`*Resource type*\n${escapeMrkdwn(alert.resourceType)}`, BLOCK_KIT_LIMITS.fieldText),
        mrkdwn(`*When*\n${escapeMrkdwn(sinceLine(alert))}`, BLOCK_KIT_LIMITS.fieldText),
      ],
    },
    { type: 'section', text: mrkdwn(whoText(alert)) },
    { type: 'section', text: mrkdwn(doneText(alert)) },
    ...(alert.result?.manual
      ? [
          {
            type: 'section' as const,
            text: mrkdwn(
              `*What you need to do:* ${escapeMrkdwn(alert.result.manual.reason)}\n\`\`\`${escapeMrkdwn(cut(alert.result.manual.commands.join('\n').replace(/```/g, "'''"), RUNBOOK_LENGTH))}\`\`\``,
            ),
          },
        ]
      : []),
    ...(alert.kind === 'resolved'
      ? []
      : [
          {
            type: 'context' as const,
            elements: [
              mrkdwn(`To exempt it, tag it ${code(`${EXEMPT_TAG}=<reason>`)} and ${code(`${EXEMPT_UNTIL_TAG}=<YYYY-MM-DD>`)}.`),
            ],
          },
        ]),
    { type: 'actions', elements: buttons },
  ];
  return { text: fallbackText(alert), blocks };
}

function digestResourceLine(alert: Alert): string {
  const detail = alert.kind === 'remediation' ? remediationReport(alert) : whatIsWrong(alert);
  return (
    `${emojiFor(alert)} *${headline(alert)}* ${code(alert.ruleId)} ${link(resourceConsoleUrl(alert), resourceLabel(alert))}` +
    ` — ${escapeMrkdwn(cut(detail, 100))} — by ${escapeMrkdwn(actorShort(alert.actor))}`
  );
}

/** Lines packed into as few sections as the section text limit allows. */
function packLines(lines: readonly string[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  let current = '';
  for (const line of lines) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length > BLOCK_KIT_LIMITS.sectionText && current) {
      sections.push({ type: 'section', text: mrkdwn(current) });
      current = line;
    } else {
      current = candidate;
    }
  }
  if (current) sections.push({ type: 'section', text: mrkdwn(current) });
  return sections;
}

function blockTextLength(blocks: readonly SlackBlock[]): number {
  return JSON.stringify(blocks).length;
}

/** One message for many alerts: counts per rule and severity, then the first `size` resources. */
export function renderSlackDigest(alerts: readonly Alert[], size: number): SlackMessage {
  const sorted = [...alerts].sort(bySeverity);
  const rows = digestRows(alerts);
  const table = rows.map(
    (row) =>
      `${SEVERITY_EMOJI[row.severity]} ${code(row.ruleId)} ${row.severity}: ${[
        row.counts.new && `${row.counts.new} new`,
        row.counts.resolved && `${row.counts.resolved} resolved`,
        row.counts.remediation && `${row.counts.remediation} remediation reports`,
      ]
        .filter(Boolean)
        .join(', ')}`,
  );
  const head: SlackBlock[] = [
    header(`:bar_chart: driftwarden digest: ${alerts.length} alerts`),
    { type: 'section', text: mrkdwn(`${alerts.length} alerts at once in ${escapeMrkdwn(scopeLabel(alerts))} (${severityCounts(alerts)}), grouped in one message.`) },
    ...packLines(table),
    { type: 'divider' },
  ];
  const footerFor = (listed: number): SlackBlock => ({
    type: 'context',
    elements: [
      mrkdwn(
        `${listed < alerts.length ? `Showing ${listed} of ${alerts.length}, most severe first; every one is in AWS Config under its rule. ` : ''}` +
          `Exempt a resource with the tag ${code(`${EXEMPT_TAG}=<reason>`)}.`,
      ),
    ],
  });
  const ruleButtons: SlackBlock = {
    type: 'actions',
    elements: [...new Map(sorted.map((alert) => [alert.configRuleName, alert])).values()]
      .slice(0, BLOCK_KIT_LIMITS.actionsElements)
      .map((alert) => button(`Rule ${alert.ruleId}`, configRuleUrl(alert), `open-config-rule-${alert.ruleId}`))
      .filter((element) => element !== undefined),
  };
  // Drop listed resources from the end until the message fits every limit.
  let shown = Math.min(size, sorted.length);
  for (;;) {
    const blocks = [...head, ...packLines(sorted.slice(0, shown).map(digestResourceLine)), footerFor(shown), ruleButtons];
    const fits = blocks.length <= BLOCK_KIT_LIMITS.blocks && blockTextLength(blocks) <= BLOCK_KIT_LIMITS.totalBlockText;
    if (fits || shown === 0) {
      const firstLines = sorted.slice(0, 3).map((alert) => `${alert.severity.toUpperCase()} ${alert.ruleId} ${resourceLabel(alert)} ${headline(alert)}`);
      const text = escapedWithin(
        `driftwarden digest: ${alerts.length} alerts in ${scopeLabel(alerts)} (${severityCounts(alerts)}). First: ${firstLines.join('; ')}${alerts.length > 3 ? '; …' : '.'}`,
        BLOCK_KIT_LIMITS.fallbackText,
      );
      return { text, blocks: blocks.slice(0, BLOCK_KIT_LIMITS.blocks) };
    }
    shown -= 1;
  }
}

/** Every Block Kit limit a message breaks; empty when Slack will accept it. Tests and the CLI use it. */
export function blockKitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  const limits = BLOCK_KIT_LIMITS;
  if (!message.text.trim()) problems.push('text fallback is empty');
  if (message.text.length > limits.fallbackText) problems.push(`text is ${message.text.length} characters`);
  if (message.blocks.length > limits.blocks) problems.push(`${message.blocks.length} blocks`);
  if (blockTextLength(message.blocks) > limits.totalBlockText) problems.push(`blocks total ${blockTextLength(message.blocks)} characters`);
  message.blocks.forEach((block, index) => {
    const at = `block ${index} (${block.type})`;
    if (block.type === 'header' && block.text.text.length > limits.headerText) problems.push(`${at}: header text ${block.text.text.length}`);
    if (block.type === 'section') {
      if (!block.text && !block.fields) problems.push(`${at}: neither text nor fields`);
      if (block.text && block.text.text.length > limits.sectionText) problems.push(`${at}: text ${block.text.text.length}`);
      if (block.fields && block.fields.length > limits.fields) problems.push(`${at}: ${block.fields.length} fields`);
      block.fields?.forEach((field) => field.text.length > limits.fieldText && problems.push(`${at}: field text ${field.text.length}`));
    }
    if (block.type === 'context' && block.elements.length > limits.contextElements) problems.push(`${at}: ${block.elements.length} elements`);
    if (block.type === 'actions') {
      if (block.elements.length === 0 || block.elements.length > limits.actionsElements) problems.push(`${at}: ${block.elements.length} elements`);
      block.elements.forEach((element) => {
        if (element.text.text.length > limits.buttonText) problems.push(`${at}: button text ${element.text.text.length}`);
        if (element.url.length > limits.buttonUrl) problems.push(`${at}: button url ${element.url.length}`);
      });
    }
  });
  return problems;
}

import demoAccount from '../../demo/account.json';
import { UsageError } from '../../lib/errors';
import { alertFromFinding, type Alert, type AlertContext, type UnknownActor } from '../../lib/alerts/alert';
import { composeMessages, type ComposedMessages } from '../../lib/alerts/compose';
import { DEFAULT_SLACK_DELIVERY, postToSlack, sleep, type SlackDeliveryOptions } from '../../lib/alerts/slack-delivery';
import type { Evaluation } from '../../lib/evaluate';
import { findingFromEvaluation } from '../../lib/finding';
import { isFinding, scan } from '../../lib/scan';
import type { Settings } from '../../lib/settings';
import { readSnapshot } from '../../lib/sources/snapshot';
import type { SourceResult } from '../../lib/sources/source';
import { RULES } from '../../rules';
import type { NotifyFlags } from '../commands/notify';
import type { CliContext } from '../context';
import { loadSettings } from '../settings';
import { readSnapshotFile } from '../input';

/** The CLI reads no CloudTrail: every alert it renders says so instead of guessing. */
const CLI_ACTOR: UnknownActor = { known: false, reason: 'the CLI does not search CloudTrail; the deployed notifier does' };

/**
 * The alerts a set of evaluations would raise once deployed: non-compliant, not exempt, each as a
 * new finding of this stage's Config rule.
 */
export function alertsForEvaluations(evaluations: readonly Evaluation[], settings: Settings, stage: string, now: Date): Alert[] {
  const context: AlertContext = { rules: RULES, settings, configRuleName: (ruleId) => `driftwarden-${stage}-${ruleId}` };
  return evaluations
    .filter(isFinding)
    .flatMap((evaluation) => {
      const finding = {
        ...findingFromEvaluation(evaluation, `scan:${evaluation.ruleId}:${evaluation.resourceType}:${evaluation.resourceId}:${evaluation.orderingTimestamp}`, {
          accountId: 'unknown',
          region: 'unknown',
        }),
        configRuleName: context.configRuleName(evaluation.ruleId),
        recordedAt: now.toISOString(),
      };
      const alert = alertFromFinding(finding, context, {
        ...(evaluation.resourceName !== undefined && { name: evaluation.resourceName }),
        ...(evaluation.arn !== undefined && { arn: evaluation.arn }),
      });
      return alert ? [{ ...alert, actor: CLI_ACTOR }] : [];
    });
}

/** Every message both channels would get, with the deployed routing and digest rules. */
export function previewNotifications(alerts: readonly Alert[], settings: Settings): ComposedMessages {
  return composeMessages(alerts, settings.notifications, ['email', 'slack']);
}

function renderPreview(messages: ComposedMessages): string {
  const parts: string[] = [];
  parts.push(`== Email: ${messages.email.length} message(s) to the SNS topic ==`);
  messages.email.forEach(({ message }, index) => parts.push(`--- email ${index + 1} of ${messages.email.length} ---\nSubject: ${message.subject}\n\n${message.body}`));
  parts.push(`== Slack: ${messages.slack.length} message(s), Block Kit JSON ==`);
  messages.slack.forEach(({ message }, index) => parts.push(`--- slack ${index + 1} of ${messages.slack.length} ---\n${JSON.stringify(message, null, 2)}\n`));
  return `${parts.join('\n')}\n`;
}

/** Posts every Slack message for real, with the notifier's retries; reports counts, never the URL. */
async function deliverPreviewToSlack(webhookUrl: string, messages: ComposedMessages, options: SlackDeliveryOptions): Promise<string[]> {
  const lines: string[] = [];
  for (const [index, { message }] of messages.slack.entries()) {
    const { attempts } = await postToSlack(webhookUrl, message, options);
    lines.push(`Slack message ${index + 1} of ${messages.slack.length} delivered (${attempts} attempt${attempts === 1 ? '' : 's'}).`);
  }
  return lines;
}

async function readSource(flags: NotifyFlags): Promise<SourceResult> {
  if (flags.demo && flags.snapshot !== undefined) throw new UsageError('Give one source: --demo or --snapshot FILE.');
  if (flags.snapshot !== undefined) return readSnapshotFile(flags.snapshot);
  if (flags.demo) return readSnapshot(demoAccount, { kind: 'demo' });
  throw new UsageError('notify needs findings: --demo or --snapshot FILE.');
}

export async function runNotify(flags: NotifyFlags, context: CliContext, slackOptions: SlackDeliveryOptions = { ...DEFAULT_SLACK_DELIVERY, sleep }): Promise<void> {
  const settings = await loadSettings(flags.config);
  const report = scan(await readSource(flags), { rules: RULES, settings, now: context.now() });
  const messages = previewNotifications(alertsForEvaluations(report.evaluations, settings, flags.stage, context.now()), settings);
  context.stdout.write(
    flags.format === 'json'
      ? `${JSON.stringify({ email: messages.email.map(({ message }) => message), slack: messages.slack.map(({ message }) => message) }, null, 2)}\n`
      : renderPreview(messages),
  );
  if (flags.slackWebhookUrl !== undefined) {
    for (const line of await deliverPreviewToSlack(flags.slackWebhookUrl, messages, slackOptions)) context.stderr.write(`driftwarden: ${line}\n`);
  }
}


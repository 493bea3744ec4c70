import type { Severity } from '../rule';
import type { NotificationSettings } from '../settings';
import type { Alert } from './alert';
import type { Channel } from './channels';
import { bySeverity, severityRank } from './describe';
import { renderEmail, renderEmailDigest, type EmailMessage } from './email';
import { renderSlack, renderSlackDigest, type SlackMessage } from './slack';

/** One message to send and the alerts it carries (one, or many in a digest). */
export interface Outgoing<Message> {
  message: Message;
  alerts: Alert[];
}

export interface ComposedMessages {
  email: Outgoing<EmailMessage>[];
  slack: Outgoing<SlackMessage>[];
}

function atLeast(severity: Severity, minimum: Severity): boolean {
  return severityRank(severity) <= severityRank(minimum);
}

function minimumFor(channel: Channel, settings: NotificationSettings): Severity {
  return channel === 'email' ? settings.email.minimumSeverity : settings.slack.minimumSeverity;
}

/** The alerts a channel receives: severity routing, most severe first. */
function routedTo(channel: Channel, alerts: readonly Alert[], settings: NotificationSettings): Alert[] {
  return alerts.filter((alert) => atLeast(alert.severity, minimumFor(channel, settings))).sort(bySeverity);
}

function isDigest(count: number, settings: NotificationSettings): boolean {
  return count > settings.digest.threshold;
}

/**
 * The alerts whose details some message shows: all of them when sent one by one, the first
 * `digest.size` when a digest lists them. Only these are worth a CloudTrail look-up.
 */
export function alertsShown(alerts: readonly Alert[], settings: NotificationSettings, channels: readonly Channel[]): Alert[] {
  const shown = new Map<string, Alert>();
  for (const channel of channels) {
    const routed = routedTo(channel, alerts, settings);
    const visible = isDigest(routed.length, settings) ? routed.slice(0, settings.digest.size) : routed;
    for (const alert of visible) shown.set(alert.eventId, alert);
  }
  return [...shown.values()];
}

/** Every message each channel gets for one batch of alerts: one per alert, or one digest. */
export function composeMessages(alerts: readonly Alert[], settings: NotificationSettings, channels: readonly Channel[]): ComposedMessages {
  const composed: ComposedMessages = { email: [], slack: [] };
  if (channels.includes('email')) {
    const routed = routedTo('email', alerts, settings);
    composed.email = isDigest(routed.length, settings)
      ? [{ message: renderEmailDigest(routed, settings.digest.size), alerts: routed }]
      : routed.map((alert) => ({ message: renderEmail(alert), alerts: [alert] }));
  }
  if (channels.includes('slack')) {
    const routed = routedTo('slack', alerts, settings);
    composed.slack = isDigest(routed.length, settings)
      ? [{ message: renderSlackDigest(routed, settings.digest.size), alerts: routed }]
      : routed.map((alert) => ({ message: renderSlack(alert), alerts: [alert] }));
  }
  return composed;
}

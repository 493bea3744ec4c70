import { AlertDeliveryError } from '../errors';
import { mapWithConcurrency } from '../aws/concurrency';
import type { NotificationSettings } from '../settings';
import { alertFromEvent, type Alert, type AlertContext } from './alert';
import { eventIdsOf, type Channel, type UndeliveredAlert } from './channels';
import { alertsShown, composeMessages, type Outgoing } from './compose';
import type { DedupStore } from './dedup-store';
import type { EmailMessage } from './email';
import type { SlackMessage } from './slack';

export interface NotifierLogger {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export interface NotifierDependencies {
  context: AlertContext;
  notifications: NotificationSettings;
  store: DedupStore;
  /** Adds the resource's name and who changed it; never throws (unknowns are said in the alert). */
  enrich(alert: Alert): Promise<Alert>;
  /** Absent when the channel is not set up. */
  sendEmail?: (message: EmailMessage) => Promise<void>;
  sendSlack?: (message: SlackMessage) => Promise<void>;
  deadLetter(undelivered: UndeliveredAlert): Promise<void>;
  /** After this, nothing more is attempted: what is left goes to the dead-letter queue before the Lambda times out. */
  deadline?: Date;
  now(): Date;
  logger: NotifierLogger;
}

/** One delivered event: the record id is the caller's handle (an SQS message id) to report failures. */
export interface IncomingEvent {
  recordId: string;
  event: unknown;
}

export interface NotifyReport {
  received: number;
  /** Compliance changes that are no news (compliant and never otherwise). */
  notNews: number;
  duplicates: number;
  unchanged: number;
  sent: Record<Channel, number>;
  deadLettered: Record<Channel, number>;
  /** Records to hand back for redelivery (invalid events, or a dead-letter queue that refused). */
  failedRecordIds: string[];
}

/** DynamoDB calls in flight at once: a burst of hundreds of events is checked in a second, not a minute. */
const DEDUP_CONCURRENCY = 16;

async function deliverChannel<Message extends EmailMessage | SlackMessage>(
  channel: Channel,
  outgoing: readonly Outgoing<Message>[],
  send: (message: Message) => Promise<void>,
  deps: NotifierDependencies,
  report: NotifyReport,
): Promise<Set<string>> {
  const unsettled = new Set<string>();
  for (const { message, alerts } of outgoing) {
    try {
      if (deps.deadline && deps.now() >= deps.deadline) throw new AlertDeliveryError('not attempted: the invocation ran out of time');
      await send(message);
      report.sent[channel] += 1;
    } catch (error) {
      const reason = (error as Error).message;
      deps.logger.warn(`${channel} delivery failed; sending the alert to the dead-letter queue`, { reason, eventIds: eventIdsOf(alerts) });
      try {
        await deps.deadLetter({ channel, reason, eventIds: eventIdsOf(alerts), message });
        report.deadLettered[channel] += 1;
      } catch (deadLetterError) {
        deps.logger.error('The dead-letter queue refused an undelivered alert; its events will be redelivered', {
          reason: (deadLetterError as Error).message,
          eventIds: eventIdsOf(alerts),
        });
        for (const eventId of eventIdsOf(alerts)) unsettled.add(eventId);
      }
    }
  }
  return unsettled;
}

/** A claim left behind would make the redelivery look like a repeat until its lease runs out. */
async function releaseClaim(eventId: string, deps: NotifierDependencies): Promise<void> {
  try {
    await deps.store.releaseEvent(eventId);
  } catch (error) {
    deps.logger.error('A claim could not be released; its redelivery waits for the lease to run out', { eventId, reason: (error as Error).message });
  }
}

/**
 * One batch of events in, messages out: parse, drop repeats and unchanged findings, route by
 * severity, group into a digest when too many, look up who changed what, deliver each channel
 * independently, and dead-letter what a channel would not take.
 */
export async function notify(events: readonly IncomingEvent[], deps: NotifierDependencies): Promise<NotifyReport> {
  const report: NotifyReport = {
    received: events.length,
    notNews: 0,
    duplicates: 0,
    unchanged: 0,
    sent: { email: 0, slack: 0 },
    deadLettered: { email: 0, slack: 0 },
    failedRecordIds: [],
  };
  const recordOf = new Map<string, string>();
  const admitted = await mapWithConcurrency(events, DEDUP_CONCURRENCY, async ({ recordId, event }): Promise<Alert | undefined> => {
    let alert: Alert | undefined;
    try {
      alert = alertFromEvent(event, deps.context);
    } catch (error) {
      deps.logger.error('Event is not one the notifier reads', { recordId, reason: (error as Error).message });
      report.failedRecordIds.push(recordId);
      return undefined;
    }
    if (!alert) {
      report.notNews += 1;
      return undefined;
    }
    let claimed = false;
    try {
      claimed = await deps.store.claimEvent(alert.eventId, deps.now());
      if (!claimed) {
        report.duplicates += 1;
        return undefined;
      }
      if (alert.kind !== 'remediation' && !(await deps.store.recordFindingState(alert, deps.now()))) {
        report.unchanged += 1;
        await deps.store.completeEvent(alert.eventId, deps.now());
        return undefined;
      }
    } catch (error) {
      // Only this record failed: it goes back to the queue alone and the rest of the batch is delivered.
      deps.logger.error('The dedup check of a record failed; it is handed back for redelivery', { recordId, eventId: alert.eventId, reason: (error as Error).message });
      report.failedRecordIds.push(recordId);
      if (claimed) await releaseClaim(alert.eventId, deps);
      return undefined;
    }
    recordOf.set(alert.eventId, recordId);
    return alert;
  });
  const fresh = admitted.filter((alert): alert is Alert => alert !== undefined);

  const channels: Channel[] = [...(deps.sendEmail ? ['email' as const] : []), ...(deps.sendSlack ? ['slack' as const] : [])];
  const enriched = new Map<string, Alert>();
  for (const alert of alertsShown(fresh, deps.notifications, channels)) enriched.set(alert.eventId, await deps.enrich(alert));
  const alerts = fresh.map((alert) => enriched.get(alert.eventId) ?? alert);
  const composed = composeMessages(alerts, deps.notifications, channels);

  // Each channel runs on its own: a Slack outage must not hold back email, nor the other way round.
  const unsettled = await Promise.all([
    deps.sendEmail ? deliverChannel('email', composed.email, deps.sendEmail, deps, report) : new Set<string>(),
    deps.sendSlack ? deliverChannel('slack', composed.slack, deps.sendSlack, deps, report) : new Set<string>(),
  ]);
  const retry = new Set(unsettled.flatMap((ids) => [...ids]));
  for (const alert of fresh) {
    if (!retry.has(alert.eventId)) continue;
    report.failedRecordIds.push(recordOf.get(alert.eventId) as string);
    // Handed back for redelivery: a claim left behind would make that redelivery look like a repeat.
    await releaseClaim(alert.eventId, deps);
  }
  await mapWithConcurrency(
    fresh.filter((alert) => !retry.has(alert.eventId)),
    DEDUP_CONCURRENCY,
    (alert) =>
      // Delivered already: handing the record back would send it twice. The claim's lease runs out instead.
      deps.store.completeEvent(alert.eventId, deps.now()).catch((error: unknown) =>
        deps.logger.error('A delivered event could not be marked as delivered', { eventId: alert.eventId, reason: (error as Error).message }),
      ),
  );
  deps.logger.info('Notification batch done', { ...report });
  return report;
}

import type { CloudTrailClient, Event as TrailEvent, LookupAttribute } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient, ResourceType as ConfigResourceType } from '@aws-sdk/client-config-service';
import { z } from 'zod';
import { readConfigurationItem } from '../sources/config-item';
import { timeField } from '../sources/values';
import type { Actor, Alert, KnownActor } from './alert';

export interface EnrichmentClients {
  config: ConfigServiceClient;
  cloudTrail: CloudTrailClient;
}

export interface EnrichmentOptions {
  /** How far before the observed change to search CloudTrail for a write to the resource. */
  lookbackMinutes: number;
  /** driftwarden's own calls (its remediations) are not "who changed it". */
  isOwnPrincipal(arn: string): boolean;
}

/** At most this many of an item's related events are looked up (LookupEvents allows 2 calls a second). */
const MAX_RELATED_EVENTS = 3;
/** Config's capture time and CloudTrail's event time come from different clocks. */
const CLOCK_SKEW_MS = 60_000;

const trailRecord = z.object({
  eventName: z.string(),
  eventSource: z.string().optional(),
  eventTime: timeField,
  sourceIPAddress: z.string().optional(),
  userIdentity: z
    .object({
      type: z.string().optional(),
      arn: z.string().optional(),
      invokedBy: z.string().optional(),
      sessionContext: z.object({ sessionIssuer: z.object({ arn: z.string().optional() }).partial().optional() }).partial().optional(),
    })
    .partial(),
});

/** The principal of one CloudTrail event, from the full record LookupEvents returns as a JSON string. */
function actorFromTrailEvent(event: TrailEvent): KnownActor | undefined {
  if (!event.CloudTrailEvent || !event.EventId) return undefined;
  let record: z.output<typeof trailRecord>;
  try {
    record = trailRecord.parse(JSON.parse(event.CloudTrailEvent));
  } catch {
    // A record CloudTrail itself wrote but we cannot read names nobody: the caller says "unknown".
    return undefined;
  }
  const identity = record.userIdentity;
  const principalArn = identity.arn ?? identity.invokedBy;
  if (!principalArn) return undefined;
  const roleArn = identity.sessionContext?.sessionIssuer?.arn;
  const isSession = identity.type === 'AssumedRole' || principalArn.includes(':assumed-role/');
  return {
    known: true,
    identityType: identity.type ?? 'unknown',
    principalArn,
    ...(roleArn !== undefined && { roleArn }),
    ...(isSession && { sessionName: principalArn.split('/').pop() as string }),
    ...(record.sourceIPAddress !== undefined && { sourceIp: record.sourceIPAddress }),
    apiCall: record.eventName,
    ...(record.eventSource !== undefined && { eventSource: record.eventSource }),
    time: record.eventTime,
    cloudTrailEventId: event.EventId,
  };
}

interface ResourceContext {
  resourceName?: string;
  arn?: string;
  relatedEvents: string[];
}

/** The configuration item AWS Config recorded at the change: the resource's name, ARN and related CloudTrail events. */
async function resourceContext(alert: Alert, observedAt: Date, config: ConfigServiceClient): Promise<ResourceContext | string> {
  const { GetResourceConfigHistoryCommand } = await import('../aws/sdk/config-service');
  try {
    const history = await config.send(
      new GetResourceConfigHistoryCommand({
        resourceType: alert.resourceType as ConfigResourceType,
        resourceId: alert.resourceId,
        laterTime: new Date(observedAt.getTime() + 1000),
        limit: 1,
      }),
    );
    const raw = history.configurationItems?.[0];
    if (!raw) return 'AWS Config has no configuration item for it';
    const item = readConfigurationItem(raw);
    return {
      ...(item.resourceName !== undefined && { resourceName: item.resourceName }),
      ...(item.arn !== undefined && { arn: item.arn }),
      relatedEvents: item.relatedEvents,
    };
  } catch (error) {
    return `its configuration history could not be read (${(error as Error).name})`;
  }
}

async function lookup(cloudTrail: CloudTrailClient, attribute: LookupAttribute, window?: { start: Date; end: Date }): Promise<TrailEvent[]> {
  const { LookupEventsCommand } = await import('../aws/sdk/cloudtrail');
  const response = await cloudTrail.send(
    new LookupEventsCommand({
      LookupAttributes: [attribute],
      ...(window && { StartTime: window.start, EndTime: window.end }),
      MaxResults: 50,
    }),
  );
  return response.Events ?? [];
}

async function actorOf(alert: Alert, observedAt: Date, related: readonly string[], clients: EnrichmentClients, options: EnrichmentOptions): Promise<Actor> {
  const usable = (actor: KnownActor | undefined): actor is KnownActor => actor !== undefined && !options.isOwnPrincipal(actor.principalArn);
  try {
    for (const eventId of related.slice(0, MAX_RELATED_EVENTS)) {
      const events = await lookup(clients.cloudTrail, { AttributeKey: 'EventId', AttributeValue: eventId });
      const actor = events.filter((event) => event.ReadOnly !== 'true').map(actorFromTrailEvent).find(usable);
      if (actor) return actor;
    }
    const start = new Date(observedAt.getTime() - options.lookbackMinutes * 60_000);
    const end = new Date(observedAt.getTime() + CLOCK_SKEW_MS);
    const events = await lookup(clients.cloudTrail, { AttributeKey: 'ResourceName', AttributeValue: alert.resourceId }, { start, end });
    // LookupEvents lists newest first: the latest write at or before the observed change caused it.
    const writes = events
      .filter((event) => event.ReadOnly === 'false')
      .map(actorFromTrailEvent)
      .filter(usable)
      .sort((a, b) => b.time.localeCompare(a.time));
    const actor = writes[0];
    if (actor) return actor;
    return {
      known: false,
      reason:
        `no CloudTrail write event names ${alert.resourceId} between ${start.toISOString()} and ${end.toISOString()}` +
        ' (CloudTrail can take up to 15 minutes to list an event; changes made by AWS itself leave none)',
    };
  } catch (error) {
    return { known: false, reason: `CloudTrail could not be searched (${(error as Error).name})` };
  }
}

/**
 * The alert with the resource's name and ARN (which compliance events lack) and who made the change.
 * Failures never stop an alert: they become an honest "unknown" with the reason.
 */
export async function enrichAlert(alert: Alert, clients: EnrichmentClients, options: EnrichmentOptions): Promise<Alert> {
  const observedAt = new Date(alert.since);
  const context = await resourceContext(alert, observedAt, clients.config);
  const related = typeof context === 'string' ? [] : context.relatedEvents;
  const actor = alert.actor.known ? alert.actor : await actorOf(alert, observedAt, related, clients, options);
  if (typeof context === 'string') return { ...alert, actor };
  return {
    ...alert,
    ...(alert.resourceName === undefined && context.resourceName !== undefined && { resourceName: context.resourceName }),
    ...(alert.arn === undefined && context.arn !== undefined && { arn: context.arn }),
    actor,
  };
}

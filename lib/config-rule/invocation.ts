import { z } from 'zod';
import { describeIssues, InvalidEventError } from '../errors';
import { timeField } from '../sources/values';

/** The event AWS Config sends a custom Lambda rule. `invokingEvent` and `ruleParameters` are JSON inside strings. */
const ruleEventSchema = z.object({
  invokingEvent: z.string(),
  ruleParameters: z.string().optional(),
  resultToken: z.string().min(1),
  eventLeftScope: z.boolean().optional(),
  configRuleName: z.string().min(1),
  accountId: z.string().optional(),
});

const itemSummarySchema = z
  .object({ resourceType: z.string(), resourceId: z.string(), configurationItemCaptureTime: timeField.optional() })
  .passthrough();

const invokingEventSchema = z.discriminatedUnion('messageType', [
  z.object({ messageType: z.literal('ConfigurationItemChangeNotification'), configurationItem: z.record(z.unknown()) }),
  z.object({ messageType: z.literal('OversizedConfigurationItemChangeNotification'), configurationItemSummary: itemSummarySchema }),
  z.object({ messageType: z.literal('ScheduledNotification'), notificationCreationTime: timeField.optional(), awsAccountId: z.string().optional() }),
]);

export type InvokingEvent = z.infer<typeof invokingEventSchema>;

export interface RuleInvocation {
  configRuleName: string;
  resultToken: string;
  eventLeftScope: boolean;
  accountId?: string;
  /** The raw `ruleParameters` object; the rule validates it. */
  ruleParameters: unknown;
  invokingEvent: InvokingEvent;
}

/** Reads a Config rule invocation, or says exactly which part of it is unusable. */
export function readRuleInvocation(raw: unknown): RuleInvocation {
  const event = ruleEventSchema.safeParse(raw);
  if (!event.success) {
    throw new InvalidEventError(`Not an AWS Config rule invocation: ${describeIssues(event.error, '(event)')}`, { cause: event.error });
  }
  let invoking: unknown;
  let ruleParameters: unknown;
  try {
    invoking = JSON.parse(event.data.invokingEvent);
  } catch (error) {
    throw new InvalidEventError('invokingEvent is not valid JSON', { cause: error });
  }
  try {
    ruleParameters = event.data.ruleParameters === undefined || event.data.ruleParameters === '' ? {} : JSON.parse(event.data.ruleParameters);
  } catch (error) {
    throw new InvalidEventError(`ruleParameters is not valid JSON: ${event.data.ruleParameters}`, { cause: error });
  }
  const invokingEvent = invokingEventSchema.safeParse(invoking);
  if (!invokingEvent.success) {
    throw new InvalidEventError(`invokingEvent: ${describeIssues(invokingEvent.error, '(event)')}`, { cause: invokingEvent.error });
  }
  return {
    configRuleName: event.data.configRuleName,
    resultToken: event.data.resultToken,
    eventLeftScope: event.data.eventLeftScope ?? false,
    ...(event.data.accountId !== undefined && { accountId: event.data.accountId }),
    ruleParameters,
    invokingEvent: invokingEvent.data,
  };
}

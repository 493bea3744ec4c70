import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { awsClientConfig, onFirstUse } from '../aws/client-config';
import { describeIssues, SettingsError } from '../errors';
import type { AnyRule } from '../rule';
import { configRuleName, stackPrefix } from '../config-rule/names';
import { deployedSettings } from '../settings';
import { publishEmail, readWebhookUrl, sendToDeadLetterQueue } from './channels';
import { DynamoDedupStore } from './dedup-store';
import type { IncomingEvent, NotifierDependencies, NotifierLogger } from './notifier';
import { DEFAULT_SLACK_DELIVERY, postToSlack, sleep } from './slack-delivery';
import { enrichAlert } from './who-changed-it';

/** What serverless.yml hands the notifier (deploy/alerts.yml); settings come from DRIFTWARDEN_SETTINGS. */
const notifierEnvironment = z.object({
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  DRIFTWARDEN_STAGE: z.string().min(1),
  ALERT_TOPIC_ARN: z.string().startsWith('arn:'),
  ALERT_DEDUP_TABLE: z.string().min(1),
  ALERT_DEAD_LETTER_QUEUE_URL: z.string().url(),
});

/** Each client is made on its first use: loading its SDK code is most of a cold start, and most batches need only some of them. */
export interface NotifierClients {
  sns: () => Promise<SNSClient>;
  sqs: () => Promise<SQSClient>;
  dynamo: () => Promise<DynamoDBClient>;
  secrets: () => Promise<SecretsManagerClient>;
  config: () => Promise<ConfigServiceClient>;
  cloudTrail: () => Promise<CloudTrailClient>;
}

export function createNotifierClients(): NotifierClients {
  // LookupEvents allows 2 calls a second per account: adaptive retries slow down instead of failing.
  return {
    sns: onFirstUse(async () => new (await import('../aws/sdk/sns')).SNSClient(awsClientConfig())),
    sqs: onFirstUse(async () => new (await import('../aws/sdk/sqs')).SQSClient(awsClientConfig())),
    dynamo: onFirstUse(async () => new (await import('../aws/sdk/dynamodb')).DynamoDBClient(awsClientConfig())),
    secrets: onFirstUse(async () => new (await import('../aws/sdk/secrets-manager')).SecretsManagerClient(awsClientConfig())),
    config: onFirstUse(async () => new (await import('../aws/sdk/config-service')).ConfigServiceClient(awsClientConfig())),
    cloudTrail: onFirstUse(async () => new (await import('../aws/sdk/cloudtrail')).CloudTrailClient(awsClientConfig())),
  };
}

/** Longer than one invocation can run (the function timeout), shorter than SQS's visibility timeout. */
const CLAIM_LEASE_SECONDS = 600;
/** The webhook URL is re-read this often, so a rotated secret is picked up without a redeploy. */
const WEBHOOK_URL_TTL_MS = 5 * 60_000;
const WHO_CHANGED_IT_LOOKBACK_MINUTES = 24 * 60;

export interface NotifierRuntime {
  dependencies(deadline: Date): Promise<NotifierDependencies>;
}

/** The notifier as deployed: settings and names from the environment, channels on AWS. */
export function deployedNotifier(rules: readonly AnyRule[], clients: NotifierClients, logger: NotifierLogger, environment: NodeJS.ProcessEnv = process.env): NotifierRuntime {
  const parsed = notifierEnvironment.safeParse(environment);
  if (!parsed.success) {
    throw new SettingsError(`Notifier environment: ${describeIssues(parsed.error, '')}`);
  }
  const env = parsed.data;
  const settings = deployedSettings(rules, environment);
  const notifications = settings.notifications;
  const names = { service: env.POWERTOOLS_SERVICE_NAME, stage: env.DRIFTWARDEN_STAGE };
  const store = onFirstUse(async () =>
    new DynamoDedupStore(await clients.dynamo(), {
      tableName: env.ALERT_DEDUP_TABLE,
      windowSeconds: Math.round(notifications.dedupWindowHours * 3600),
      leaseSeconds: CLAIM_LEASE_SECONDS,
    }),
  );
  let webhook: { url: string; readAt: number } | undefined;
  const webhookUrl = async (secretArn: string): Promise<string> => {
    if (!webhook || Date.now() - webhook.readAt > WEBHOOK_URL_TTL_MS) webhook = { url: await readWebhookUrl(await clients.secrets(), secretArn), readAt: Date.now() };
    return webhook.url;
  };
  const secretArn = notifications.slack.webhookSecretArn;
  return {
    dependencies: async (deadline) => ({
      context: { rules, settings, configRuleName: (ruleId) => configRuleName(names, { id: ruleId }) },
      notifications,
      store: await store(),
      enrich: async (alert) =>
        enrichAlert(alert, { config: await clients.config(), cloudTrail: await clients.cloudTrail() }, {
          lookbackMinutes: WHO_CHANGED_IT_LOOKBACK_MINUTES,
          // Roles of this stack are named after it (`driftwarden-prod-RemediationRole-…`).
          isOwnPrincipal: (arn) => arn.includes(`:assumed-role/${stackPrefix(names)}`),
        }),
      ...(notifications.email.addresses.length > 0 && {
        sendEmail: async (message) => void (await publishEmail(await clients.sns(), env.ALERT_TOPIC_ARN, message)),
      }),
      ...(secretArn !== undefined && {
        sendSlack: async (message) => void (await postToSlack(await webhookUrl(secretArn), message, { ...DEFAULT_SLACK_DELIVERY, sleep, deadline })),
      }),
      deadLetter: async (undelivered) => sendToDeadLetterQueue(await clients.sqs(), env.ALERT_DEAD_LETTER_QUEUE_URL, undelivered),
      deadline,
      now: () => new Date(),
      logger,
    }),
  };
}

/** EventBridge puts each event in an SQS message body; the queue batches them for digests. */
export function eventsFromQueue(records: readonly { messageId: string; body: string }[]): IncomingEvent[] {
  return records.map((record) => {
    let event: unknown;
    try {
      event = JSON.parse(record.body);
    } catch {
      event = record.body;
    }
    return { recordId: record.messageId, event };
  });
}

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { awsClientConfig } from '../aws/clients';
import { describeIssues, SettingsError } from '../errors';
import type { AnyRule } from '../rule';
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

export interface NotifierClients {
  sns: SNSClient;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  secrets: SecretsManagerClient;
  config: ConfigServiceClient;
  cloudTrail: CloudTrailClient;
}

export function createNotifierClients(): NotifierClients {
  // LookupEvents allows 2 calls a second per account: adaptive retries slow down instead of failing.
  return {
    sns: new SNSClient(awsClientConfig()),
    sqs: new SQSClient(awsClientConfig()),
    dynamo: new DynamoDBClient(awsClientConfig()),
    secrets: new SecretsManagerClient(awsClientConfig()),
    config: new ConfigServiceClient(awsClientConfig()),
    cloudTrail: new CloudTrailClient(awsClientConfig()),
  };
}

/** Longer than one invocation can run (the function timeout), shorter than SQS's visibility timeout. */
const CLAIM_LEASE_SECONDS = 600;
/** The webhook URL is re-read this often, so a rotated secret is picked up without a redeploy. */
const WEBHOOK_URL_TTL_MS = 5 * 60_000;
const WHO_CHANGED_IT_LOOKBACK_MINUTES = 24 * 60;

export interface NotifierRuntime {
  dependencies(deadline: Date): NotifierDependencies;
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
  const namePrefix = `${env.POWERTOOLS_SERVICE_NAME}-${env.DRIFTWARDEN_STAGE}-`;
  const store = new DynamoDedupStore(clients.dynamo, {
    tableName: env.ALERT_DEDUP_TABLE,
    windowSeconds: Math.round(notifications.dedupWindowHours * 3600),
    leaseSeconds: CLAIM_LEASE_SECONDS,
  });
  let webhook: { url: string; readAt: number } | undefined;
  const webhookUrl = async (secretArn: string): Promise<string> => {
    if (!webhook || Date.now() - webhook.readAt > WEBHOOK_URL_TTL_MS) webhook = { url: await readWebhookUrl(clients.secrets, secretArn), readAt: Date.now() };
    return webhook.url;
  };
  const secretArn = notifications.slack.webhookSecretArn;
  return {
    dependencies: (deadline) => ({
      context: { rules, settings, configRuleName: (ruleId) => `${namePrefix}${ruleId}` },
      notifications,
      store,
      enrich: (alert) =>
        enrichAlert(alert, clients, {
          lookbackMinutes: WHO_CHANGED_IT_LOOKBACK_MINUTES,
          // Roles of this stack are named after it (`driftwarden-prod-RemediationRole-…`).
          isOwnPrincipal: (arn) => arn.includes(`:assumed-role/${namePrefix}`),
        }),
      ...(notifications.email.addresses.length > 0 && {
        sendEmail: async (message) => void (await publishEmail(clients.sns, env.ALERT_TOPIC_ARN, message)),
      }),
      ...(secretArn !== undefined && {
        sendSlack: async (message) => void (await postToSlack(await webhookUrl(secretArn), message, { ...DEFAULT_SLACK_DELIVERY, sleep, deadline })),
      }),
      deadLetter: (undelivered) => sendToDeadLetterQueue(clients.sqs, env.ALERT_DEAD_LETTER_QUEUE_URL, undelivered),
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

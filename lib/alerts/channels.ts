import type { SNSClient } from '@aws-sdk/client-sns';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { AlertDeliveryError } from '../errors';
import type { Alert } from './alert';
import type { EmailMessage } from './email';
import type { SlackMessage } from './slack';

/** Email goes out through the SNS topic; its email subscriptions are the recipients. */
export async function publishEmail(sns: SNSClient, topicArn: string, email: EmailMessage): Promise<string | undefined> {
  const { PublishCommand } = await import('../aws/sdk/sns');
  const response = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: email.subject, Message: email.body }));
  return response.MessageId;
}

/**
 * The incoming-webhook URL from Secrets Manager: the secret string is the URL, or JSON with a `url`
 * field. Read at run time so the URL is never in the template or the environment.
 */
export async function readWebhookUrl(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  const { GetSecretValueCommand } = await import('../aws/sdk/secrets-manager');
  const response = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const value = response.SecretString?.trim();
  if (!value) throw new AlertDeliveryError(`Secret ${secretArn} has no string value`);
  if (!value.startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new AlertDeliveryError(`Secret ${secretArn} starts like JSON but is not valid JSON`);
  }
  const url = (parsed as { url?: unknown }).url;
  if (typeof url !== 'string') throw new AlertDeliveryError(`Secret ${secretArn} is JSON without a string "url" field`);
  return url;
}

export type Channel = 'email' | 'slack';

/** What could not be delivered, kept whole so it can be re-sent from the dead-letter queue. */
export interface UndeliveredAlert {
  channel: Channel;
  reason: string;
  eventIds: string[];
  message: EmailMessage | SlackMessage;
}

export async function sendToDeadLetterQueue(sqs: SQSClient, queueUrl: string, undelivered: UndeliveredAlert): Promise<void> {
  const { SendMessageCommand } = await import('../aws/sdk/sqs');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(undelivered),
      MessageAttributes: { channel: { DataType: 'String', StringValue: undelivered.channel } },
    }),
  );
}

export function eventIdsOf(alerts: readonly Alert[]): string[] {
  return alerts.map((alert) => alert.eventId);
}

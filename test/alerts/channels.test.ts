import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { publishEmail, readWebhookUrl, sendToDeadLetterQueue } from '../../lib/alerts/channels';
import { renderEmail } from '../../lib/alerts/email';
import { enrichedSecurityGroupAlert } from './alert-fixtures';

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/slack-webhook-AbCdEf';
const URL_IN_SECRET = 'https://hooks.slack.com/services/T0001/B0002/SECRETTOKENxyz';

beforeEach(() => {
  sns.reset();
  secrets.reset();
  sqs.reset();
});

describe('Alerts: channels', () => {
  it('publishes the email subject and plain-text body to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '94f20ce6-13c5-43a0-9a9e-ca52d816e90b' });
    const email = renderEmail(enrichedSecurityGroupAlert());
    await expect(publishEmail(new SNSClient({}), 'arn:aws:sns:eu-west-1:123456789012:driftwarden-prod-alerts', email)).resolves.toBe(
      '94f20ce6-13c5-43a0-9a9e-ca52d816e90b',
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:driftwarden-prod-alerts',
      Subject: email.subject,
      Message: email.body,
    });
  });

  it.each([
    ['the plain URL', URL_IN_SECRET],
    ['JSON with a url field', JSON.stringify({ url: URL_IN_SECRET })],
    ['the plain URL with a trailing newline', `${URL_IN_SECRET}\n`],
  ])('reads the webhook URL from a secret holding %s', async (_case, secretString) => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: secretString });
    await expect(readWebhookUrl(new SecretsManagerClient({}), SECRET_ARN)).resolves.toBe(URL_IN_SECRET);
  });

  it.each([
    ['no string value', {}, `Secret ${SECRET_ARN} has no string value`],
    ['broken JSON', { SecretString: `{"url": "${URL_IN_SECRET}"` }, `Secret ${SECRET_ARN} starts like JSON but is not valid JSON`],
    ['JSON without url', { SecretString: `{"webhook": "${URL_IN_SECRET}"}` }, `Secret ${SECRET_ARN} is JSON without a string "url" field`],
  ])('rejects a secret with %s without repeating its value', async (_case, response, message) => {
    secrets.on(GetSecretValueCommand).resolves(response);
    const error = await readWebhookUrl(new SecretsManagerClient({}), SECRET_ARN).catch((caught: Error) => caught);
    expect(error).toEqual(expect.objectContaining({ name: 'AlertDeliveryError', message }));
    expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).not.toContain('SECRETTOKEN');
  });

  it('dead-letters the whole undelivered message with its channel as an attribute', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const undelivered = { channel: 'slack' as const, reason: 'HTTP 503', eventIds: ['e-1'], message: { text: 't', blocks: [] } };
    await sendToDeadLetterQueue(new SQSClient({}), 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', undelivered);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
      MessageBody: JSON.stringify(undelivered),
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'slack' } },
    });
  });
});

import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, GetResourceConfigHistoryCommand } from '@aws-sdk/client-config-service';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { createTable, startLocalDynamoDb, type LocalDynamoDb } from '../dynalite';
import { RULE_CASES, ruleCaseEvent } from '../alerts/alert-fixtures';
import { fixture } from '../helpers';

const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
const config = mockClient(ConfigServiceClient);
const cloudTrail = mockClient(CloudTrailClient);
let dynamo: LocalDynamoDb;

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:driftwarden/slack-webhook-AbCdEf';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:driftwarden-test-alerts';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/driftwarden-test-alerts-undelivered';

let slack: Server;
let slackStatus = 200;
const slackBodies: any[] = [];
let webhookUrl: string;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let output = '';

const withDates = (response: any, field: string, key: string) => ({ ...response, [field]: response[field].map((entry: any) => ({ ...entry, [key]: new Date(entry[key]) })) });

function sqsEvent(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `message-${index}`,
      receiptHandle: `handle-${index}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1749721296000', SenderId: 'AIDAEVENTBRIDGE', ApproximateFirstReceiveTimestamp: '1749721296100' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:driftwarden-test-alert-events',
      awsRegion: 'eu-west-1',
    })),
  };
}

const context = {
  functionName: 'driftwarden-test-notify',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  await createTable(dynamo.client, 'driftwarden-test-alert-dedup');
  slack = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      slackBodies.push(JSON.parse(text));
      response.writeHead(slackStatus).end(slackStatus === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T0001/B0002/SECRETTOKENxyz`;
  const settings = parseSettings({ notifications: { email: { addresses: ['ops@example.com'] }, slack: { webhookSecretArn: SECRET_ARN } } }, RULES);
  Object.assign(process.env, {
    POWERTOOLS_SERVICE_NAME: 'driftwarden',
    DRIFTWARDEN_STAGE: 'test',
    DRIFTWARDEN_SETTINGS: JSON.stringify(settings),
    ALERT_TOPIC_ARN: TOPIC_ARN,
    ALERT_DEDUP_TABLE: 'driftwarden-test-alert-dedup',
    ALERT_DEAD_LETTER_QUEUE_URL: DLQ_URL,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The deployed code's own DynamoDB client, pointed at dynalite.
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  ({ handler } = await import('../../handlers/notify'));
});

afterAll(async () => {
  slack.closeAllConnections();
  await new Promise<void>((resolve) => slack.close(() => resolve()));
  await dynamo.stop();
});

beforeEach(() => {
  for (const mock of [sns, sqs, secrets, config, cloudTrail]) mock.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ url: webhookUrl }) });
  sns.on(PublishCommand).resolves({ MessageId: '5a1b2c3d-0000-4000-8000-000000000001' });
  sqs.on(SendMessageCommand).resolves({ MessageId: '5a1b2c3d-0000-4000-8000-000000000002' });
  config.on(GetResourceConfigHistoryCommand).resolves(withDates(fixture('alerts/config-history-sg.json'), 'configurationItems', 'configurationItemCaptureTime'));
  cloudTrail.on(LookupEventsCommand).resolves(withDates(fixture('alerts/lookup-events-by-event-id.json'), 'Events', 'EventTime'));
  slackBodies.length = 0;
  slackStatus = 200;
  output = '';
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  }
});

afterEach(() => jest.restoreAllMocks());

describe('Handler: notify', () => {
  it('emails through the topic and posts to Slack, naming who changed the resource', async () => {
    const event = { ...ruleCaseEvent(RULE_CASES[0]), id: 'handler-event-1' };
    await expect(handler(sqsEvent([JSON.stringify(event)]), context)).resolves.toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: '[HIGH] public-app-ports: sg-0f1e2d3c4b5a69788 (driftwarden-dev-app) non-compliant',
      Message: expect.stringContaining('Session:     alice@example.com'),
    });
    expect(slackBodies).toHaveLength(1);
    expect(slackBodies[0].text).toContain('Changed by: alice@example.com (AuthorizeSecurityGroupIngress)');
    expect(output).toContain('Notification batch done');
  });

  it('dead-letters the Slack message Slack refused, still emails, and never logs the webhook URL', async () => {
    slackStatus = 404;
    const event = { ...ruleCaseEvent(RULE_CASES[1]), id: 'handler-event-2' };
    await expect(handler(sqsEvent([JSON.stringify(event)]), context)).resolves.toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: DLQ_URL, MessageAttributes: { channel: { DataType: 'String', StringValue: 'slack' } } });
    const deadLetter = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody as string);
    expect(deadLetter).toMatchObject({ channel: 'slack', reason: 'Slack refused the message: HTTP 404 no_service', eventIds: ['handler-event-2'] });
    expect(output).toContain('slack delivery failed');
    expect(output + JSON.stringify(deadLetter)).not.toContain('SECRETTOKEN');
  });

  it('hands back the record it cannot read, and delivers the rest of the batch', async () => {
    const event = { ...ruleCaseEvent(RULE_CASES[3]), id: 'handler-event-3' };
    const result = await handler(sqsEvent(['{"source":"aws.config"', JSON.stringify(event)]), context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(slackBodies).toHaveLength(1);
  });
});

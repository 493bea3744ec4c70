import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, GetResourceConfigHistoryCommand, ResourceNotDiscoveredException } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { enrichAlert, type EnrichmentOptions } from '../../lib/alerts/who-changed-it';
import { fixture } from '../helpers';
import { alertOf, RULE_CASES, ruleCaseEvent } from './alert-fixtures';

const config = mockClient(ConfigServiceClient);
const cloudTrail = mockClient(CloudTrailClient);
const clients = { config: new ConfigServiceClient({}), cloudTrail: new CloudTrailClient({}) };
const options: EnrichmentOptions = { lookbackMinutes: 60, isOwnPrincipal: (arn) => arn.includes(':assumed-role/driftwarden-dev-') };

/** SDK v3 hands back Date objects where the wire has timestamps. */
function withDates(response: any, field: string, key: string): any {
  return { ...response, [field]: response[field].map((entry: any) => ({ ...entry, [key]: new Date(entry[key]) })) };
}

const history = () => withDates(fixture('alerts/config-history-sg.json'), 'configurationItems', 'configurationItemCaptureTime');
const byEventId = () => withDates(fixture('alerts/lookup-events-by-event-id.json'), 'Events', 'EventTime');
const byResourceName = () => withDates(fixture('alerts/lookup-events-by-resource-name.json'), 'Events', 'EventTime');

const securityGroupAlert = () => alertOf(ruleCaseEvent(RULE_CASES[0]));

beforeEach(() => {
  config.reset();
  cloudTrail.reset();
});

describe('Alerts: who changed it', () => {
  it("follows the configuration item's related CloudTrail event to the assumed-role session", async () => {
    config.on(GetResourceConfigHistoryCommand).resolves(history());
    cloudTrail.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: '5f0c7d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6' }] }).resolves(byEventId());
    const alert = await enrichAlert(securityGroupAlert(), clients, options);
    expect(alert.resourceName).toBe('driftwarden-dev-app');
    expect(alert.arn).toBe('arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0f1e2d3c4b5a69788');
    expect(alert.actor).toEqual({
      known: true,
      identityType: 'AssumedRole',
      principalArn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_0a1b2c3d4e5f6a7b/alice@example.com',
      roleArn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PowerUser_0a1b2c3d4e5f6a7b',
      sessionName: 'alice@example.com',
      sourceIp: '203.0.113.24',
      apiCall: 'AuthorizeSecurityGroupIngress',
      eventSource: 'ec2.amazonaws.com',
      time: '2025-06-12T09:41:02.000Z',
      cloudTrailEventId: '5f0c7d1e-8a2b-4c3d-9e4f-a1b2c3d4e5f6',
    });
    expect(config).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0f1e2d3c4b5a69788',
      limit: 1,
      laterTime: new Date('2025-06-12T09:41:28.318Z'),
    });
  });

  it('falls back to the latest write naming the resource, skipping reads and driftwarden’s own calls', async () => {
    const item = history();
    item.configurationItems[0].relatedEvents = [];
    config.on(GetResourceConfigHistoryCommand).resolves(item);
    cloudTrail.on(LookupEventsCommand).resolves(byResourceName());
    const alert = await enrichAlert(securityGroupAlert(), clients, options);
    expect(alert.actor).toMatchObject({
      known: true,
      identityType: 'IAMUser',
      principalArn: 'arn:aws:iam::123456789012:user/bob',
      sourceIp: '198.51.100.7',
      apiCall: 'AuthorizeSecurityGroupIngress',
      time: '2025-06-12T09:39:51.000Z',
    });
    expect(alert.actor).not.toHaveProperty('sessionName');
    expect(cloudTrail).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'sg-0f1e2d3c4b5a69788' }],
      StartTime: new Date('2025-06-12T08:41:27.318Z'),
      EndTime: new Date('2025-06-12T09:42:27.318Z'),
    });
  });

  it('says "unknown" with the searched window when CloudTrail has no write event', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
    const alert = await enrichAlert(securityGroupAlert(), clients, options);
    expect(alert.actor).toEqual({
      known: false,
      reason: expect.stringMatching(/^no CloudTrail write event names sg-0f1e2d3c4b5a69788 between 2025-06-12T08:41:27.318Z and 2025-06-12T09:42:27.318Z/),
    });
    expect(alert.resourceName).toBeUndefined();
  });

  it.each([
    ['CloudTrail denies the look-up', 'AccessDeniedException', 'CloudTrail could not be searched (AccessDeniedException)'],
    ['CloudTrail throttles past every retry', 'ThrottlingException', 'CloudTrail could not be searched (ThrottlingException)'],
  ])('says "unknown" when %s, and the alert still goes out', async (_case, errorName, reason) => {
    config.on(GetResourceConfigHistoryCommand).rejects(new ResourceNotDiscoveredException({ message: 'not discovered', $metadata: {} }));
    cloudTrail.on(LookupEventsCommand).rejects(Object.assign(new Error('no'), { name: errorName }));
    const alert = await enrichAlert(securityGroupAlert(), clients, options);
    expect(alert.actor).toEqual({ known: false, reason });
  });

  it('finds who made the original change for a remediation report, not driftwarden itself', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    cloudTrail.on(LookupEventsCommand).resolves(byResourceName());
    const alert = await enrichAlert(alertOf(fixture('alerts/remediation-applied.json')), clients, options);
    expect(alert.actor).toMatchObject({ known: true, principalArn: 'arn:aws:iam::123456789012:user/bob' });
  });
});

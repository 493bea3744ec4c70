import 'aws-sdk-client-mock-jest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { RemediationEventDetail } from '../../../lib/remediation/events';
import { EventBridgePublisher } from '../../../lib/remediation/eventbridge-publisher';

const eventBridge = mockClient(EventBridgeClient);
beforeEach(() => eventBridge.reset());

const detail: RemediationEventDetail = {
  version: '1',
  auditId: 'a-1',
  eventId: 'a-1',
  ruleId: 'public-app-ports',
  resourceType: 'AWS::EC2::SecurityGroup',
  resourceId: 'sg-0f1e2d3c4b5a69788',
  mode: 'dry-run',
  outcome: 'planned',
  summary: 'Revoke tcp 5173 from 0.0.0.0/0 on sg-0f1e2d3c4b5a69788.',
  actions: ['Revoke tcp 5173 from 0.0.0.0/0 (RevokeSecurityGroupIngress)'],
  reversible: false,
  time: '2025-06-12T09:41:40.000Z',
};

describe('EventBridgePublisher', () => {
  it('puts one driftwarden event on the bus with the detail as JSON', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'prod').publish('Remediation Planned', detail, ['arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0f1e2d3c4b5a69788']);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'default',
          Source: 'driftwarden',
          DetailType: 'Remediation Planned',
          Detail: JSON.stringify({ ...detail, stage: 'prod' }),
          Resources: ['arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0f1e2d3c4b5a69788'],
        },
      ],
    });
  });

  it('fails when EventBridge answers 200 but drops the entry', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error.' }] });
    await expect(new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'prod').publish('Remediation Planned', detail, [])).rejects.toThrow(
      'EventBridge refused the "Remediation Planned" event for a-1: InternalFailure: Internal service error.',
    );
  });
});

describe('EventBridgePublisher errors', () => {
  it('reports an unreachable bus as an event publish error', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND events.eu-west-1.amazonaws.com'), { name: 'Error' }));
    await expect(new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'prod').publish('Remediation Applied', detail, [])).rejects.toThrow(
      'Cannot put the "Remediation Applied" event for a-1 on default: getaddrinfo ENOTFOUND events.eu-west-1.amazonaws.com',
    );
  });
});

import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handleRuleInvocation, type RuleHandlerDeps } from '../../lib/config-rule/handle';
import type { RuleRunSources } from '../../lib/config-rule/run';
import { EvaluationDeliveryError, InvalidEventError } from '../../lib/errors';
import type { Resource } from '../../lib/model';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { fixture, itemResource, NOW } from '../helpers';

const config = mockClient(ConfigServiceClient);

function deps(sources: Partial<RuleRunSources> = {}): RuleHandlerDeps {
  return {
    rules: RULES,
    settings: parseSettings({}, RULES),
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    now: () => NOW,
    sources: {
      fetchItem: async () => undefined,
      loadLookups: async () => ({ flowLogsByVpc: new Map() }),
      listResources: async function* () {},
      recordedResults: async function* () {},
      ...sources,
    },
  };
}

const vpcs = (from: number, count: number): Resource[] =>
  Array.from({ length: count }, (_, index) => ({ ...itemResource('vpc'), id: `vpc-${from + index}` }) as Resource);

beforeEach(() => {
  config.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
});

describe('Config rule handler', () => {
  it('reports a change notification with the event\'s result token', async () => {
    const event = fixture('config/event-change-sg.json');
    const outcome = await handleRuleInvocation(event, deps());
    expect(outcome).toEqual({
      ruleId: 'public-app-ports',
      messageType: 'ConfigurationItemChangeNotification',
      reported: { COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 },
      unchanged: 0,
      batches: 1,
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: event.resultToken,
      Evaluations: [expect.objectContaining({ ComplianceResourceId: 'sg-0f1e2d3c4b5a69788', ComplianceType: 'NON_COMPLIANT' })],
    });
  });

  it('reports a sweep of 250 resources in three PutEvaluations calls', async () => {
    const outcome = await handleRuleInvocation(
      fixture('config/event-scheduled-vpc.json'),
      deps({
        listResources: async function* () {
          yield vpcs(0, 200);
          yield vpcs(200, 50);
        },
      }),
    );
    expect(outcome.reported.NON_COMPLIANT).toBe(250);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
  });

  it.each([
    ['a numeric capture time of 1e308', (invoking: any) => (invoking.configurationItem.configurationItemCaptureTime = 1e308), /configurationItemCaptureTime is not a time/],
    ['a capture time that is no date', (invoking: any) => (invoking.configurationItem.configurationItemCaptureTime = 'yesterday'), /configurationItemCaptureTime is not a time/],
    ['a notification time beyond year 9999', (invoking: any) => Object.assign(invoking, { messageType: 'ScheduledNotification', notificationCreationTime: '+275760-09-13T00:00:00.000Z' }), /notificationCreationTime: not a time/],
  ])('rejects %s with an InvalidEventError before reporting anything', async (_case, spoil, message) => {
    const event = fixture<{ invokingEvent: string }>('config/event-change-sg.json');
    const invoking = JSON.parse(event.invokingEvent);
    spoil(invoking);
    const rejection = expect(handleRuleInvocation({ ...event, invokingEvent: JSON.stringify(invoking) }, deps())).rejects;
    await rejection.toThrow(InvalidEventError);
    await rejection.toThrow(message);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('reports what it could evaluate, then fails naming the type it could not list', async () => {
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });
    const failing = deps({
      listResources: async function* () {
        yield vpcs(0, 2);
        throw denied;
      },
    });
    await expect(handleRuleInvocation(fixture('config/event-scheduled-vpc.json'), failing)).rejects.toThrow(/could not list AWS::EC2::VPC: UnauthorizedOperation/);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });

  it('fails when Config refuses the evaluations', async () => {
    config.on(PutEvaluationsCommand).rejects(Object.assign(new Error('The result token is invalid'), { name: 'InvalidResultTokenException' }));
    await expect(handleRuleInvocation(fixture('config/event-change-sg.json'), deps())).rejects.toThrow(EvaluationDeliveryError);
  });

  it('rejects a malformed event before calling AWS', async () => {
    await expect(handleRuleInvocation({ invokingEvent: '{}' }, deps())).rejects.toThrow(InvalidEventError);
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});

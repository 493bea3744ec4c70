import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../lib/aws/clients';
import { awsClientConfig, forManyCalls, onFirstUse, worstCaseCallMs } from '../lib/aws/client-config';
import { awsRuleRunSources } from '../lib/config-rule/aws-sources';
import { handleRuleInvocation, type RuleHandlerOutcome } from '../lib/config-rule/handle';
import { memberAccessOnFirstUse } from '../lib/organization/member-access';
import { deployedSettings } from '../lib/settings';
import { RULES } from '../rules';

const logger = new Logger({ serviceName: 'driftwarden' });
const metrics = new Metrics({ namespace: 'driftwarden', serviceName: 'driftwarden' });
const settings = deployedSettings(RULES);
const region = process.env.AWS_REGION ?? 'us-east-1';
// Clients are made on the first invocation that needs them: loading their SDK code is most of a cold start.
const config = onFirstUse(async () => {
  const { ConfigServiceClient } = await import('../lib/aws/sdk/config-service');
  return forManyCalls(new ConfigServiceClient(awsClientConfig({ region })));
});
const clients = createAwsClients({ region });
// Organization mode: Config in every member account invokes this function; it reads and reports there.
const organization = settings.organization;
const members = organization
  ? memberAccessOnFirstUse({
      organization,
      role: 'read',
      region,
      sessionName: 'driftwarden-config-rule',
      loadExtraClients: async () => {
        const { ConfigServiceClient } = await import('../lib/aws/sdk/config-service');
        return (memberRegion: string, credentials: AwsCredentialIdentityProvider) => ({ config: forManyCalls(new ConfigServiceClient(awsClientConfig({ region: memberRegion, credentials }))) });
      },
    })
  : undefined;

function recordMetrics(outcome: RuleHandlerOutcome): void {
  metrics.addDimension('rule', outcome.ruleId);
  metrics.addMetric('CompliantEvaluations', MetricUnit.Count, outcome.reported.COMPLIANT);
  metrics.addMetric('NonCompliantEvaluations', MetricUnit.Count, outcome.reported.NON_COMPLIANT);
  metrics.addMetric('NotApplicableEvaluations', MetricUnit.Count, outcome.reported.NOT_APPLICABLE);
  metrics.addMetric('UnchangedVerdictsNotReported', MetricUnit.Count, outcome.unchanged);
}

/** Every failure is logged as structured JSON and counted before Lambda reports it to Config. */
const failureLogging: middy.MiddlewareObj = {
  onError: async (request) => {
    const error = request.error as Error;
    logger.error('Config rule invocation failed', { errorName: error.name, error });
    metrics.addMetric('Errors', MetricUnit.Count, 1);
  },
};

/** No call is started with less time left than the slowest call can take, plus room to report and log. */
const STOP_STARTING_MS = worstCaseCallMs() + 10_000;

export const handler = middy(async (event: unknown, context: Context) => {
  const accountId = (event as { accountId?: string } | null)?.accountId;
  // Organization mode: an account the settings do not select fails the invocation (EventOutOfScopeError,
  // logged below) before any role is assumed; a selected one is read and reported as its read role.
  const member = members ? await (await members()).enter(accountId ?? '', region) : undefined;
  if (member) logger.appendKeys({ accountId: member.account.id, accountName: member.account.name });
  const target = member ?? { config: await config(), clients };
  const outcome = await handleRuleInvocation(event, {
    rules: RULES,
    settings,
    config: target.config,
    sources: awsRuleRunSources({ config: target.config, clients: target.clients, region, ...(accountId !== undefined && { accountId }) }),
    now: () => new Date(),
    outOfTime: () => context.getRemainingTimeInMillis() < STOP_STARTING_MS,
    record: recordMetrics,
  });
  logger.info('Reported evaluations', { ...outcome });
  return outcome;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(failureLogging);

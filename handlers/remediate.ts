import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { configRuleName, enabledRules } from '../deploy/config-rules';
import { awsClientConfig, createAwsClients, worstCaseCallMs } from '../lib/aws/clients';
import { readResource } from '../lib/aws/inventory';
import { loadLookups } from '../lib/aws/lookups';
import { SettingsError } from '../lib/errors';
import { findingFromComplianceChange } from '../lib/finding';
import { createLookups } from '../lib/lookups';
import { isResourceType } from '../lib/model';
import { DynamoDbAuditLog } from '../lib/remediation/dynamodb-audit';
import { EventBridgePublisher } from '../lib/remediation/eventbridge-publisher';
import { remediateFinding, type RemediationRun } from '../lib/remediation/remediate';
import { checkFindingScope } from '../lib/remediation/scope';
import { deployedSettings } from '../lib/settings';
import { REMEDIATIONS } from '../remediations';
import { RULES } from '../rules';

const logger = new Logger({ serviceName: 'driftwarden' });
const metrics = new Metrics({ namespace: 'driftwarden', serviceName: 'driftwarden' });
const settings = deployedSettings(RULES);
const region = process.env.AWS_REGION ?? 'us-east-1';
const clients = createAwsClients({ region });
const stage = required('DRIFTWARDEN_STAGE');
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'driftwarden';
/** No change is started with less time left than its slowest call can take, plus room to record the outcome. */
const STOP_STARTING_MS = worstCaseCallMs() + 15_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new SettingsError(`${name} is not set; the remediation function is configured by the stack (serverless.yml, deploy/remediation.ts)`);
  return value;
}

const audit = new DynamoDbAuditLog(new DynamoDBClient(awsClientConfig({ region })), required('AUDIT_TABLE_NAME'));
const events = new EventBridgePublisher(new EventBridgeClient(awsClientConfig({ region })), stage, process.env.EVENT_BUS_NAME || 'default');
const stack = {
  ...(process.env.DRIFTWARDEN_KMS_KEY_ARN && { kmsKeyArn: process.env.DRIFTWARDEN_KMS_KEY_ARN }),
  ...(process.env.FLOW_LOG_ROLE_ARN && { flowLogRoleArn: process.env.FLOW_LOG_ROLE_ARN }),
};

function recordMetrics(run: RemediationRun, ruleId: string): void {
  metrics.addDimension('rule', ruleId);
  metrics.addDimension('outcome', run.outcome);
  metrics.addMetric('Remediations', MetricUnit.Count, 1);
}

/** Failures are logged and counted, then rethrown: Lambda retries the event and finally dead-letters it. */
const failureLogging: middy.MiddlewareObj = {
  onError: async (request) => {
    const error = request.error as Error & { retryable?: boolean };
    logger.error('Remediation failed', { errorName: error.name, retryable: error.retryable ?? false, error });
    metrics.addMetric('RemediationErrors', MetricUnit.Count, 1);
  },
};

/** This stage's Config rule names that have a remediation: the only ones whose findings it acts on. */
const configRuleNames = enabledRules(RULES, settings)
  .filter((rule) => rule.remediation !== undefined)
  .map((rule) => configRuleName({ service: serviceName, stage }, rule));

export const handler = middy(async (event: unknown, lambda: Context) => {
  const finding = findingFromComplianceChange(event, RULES);
  logger.appendKeys({ eventId: finding.eventId, ruleId: finding.ruleId, resourceId: finding.resourceId });
  // arn:aws:lambda:<region>:<account>:function:<name>
  checkFindingScope(finding, RULES, { accountId: lambda.invokedFunctionArn.split(':')[4] ?? '', region, configRuleNames });
  const context = { region: finding.region, accountId: finding.accountId };
  const run = await remediateFinding(finding, {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings,
    stack,
    audit,
    events,
    clients,
    readLiveResource: async (current) => (isResourceType(current.resourceType) ? readResource(current.resourceType, current.resourceId, clients, context) : undefined),
    loadLookups: async (rule, resource) => createLookups(await loadLookups(rule.lookups, clients, { resources: [resource] })),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    outOfTime: () => lambda.getRemainingTimeInMillis() < STOP_STARTING_MS,
  });
  logger.info('Remediation finished', { ...run });
  recordMetrics(run, finding.ruleId);
  return run;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(failureLogging);

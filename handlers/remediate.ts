import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { configRuleName, enabledRules } from '../lib/config-rule/names';
import { createAwsClients, type AwsClients } from '../lib/aws/clients';
import { awsClientConfig, onFirstUse, worstCaseCallMs } from '../lib/aws/client-config';
import { readResource } from '../lib/aws/inventory';
import { loadLookups } from '../lib/aws/lookups';
import { SettingsError } from '../lib/errors';
import { findingFromComplianceChange, type Finding } from '../lib/finding';
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
export const settings = deployedSettings(RULES);
export const region = process.env.AWS_REGION ?? 'us-east-1';
const ownClients = createAwsClients({ region });
const stage = required('DRIFTWARDEN_STAGE');
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'driftwarden';
/** No change is started with less time left than its slowest call can take, plus room to record the outcome. */
const STOP_STARTING_MS = worstCaseCallMs() + 15_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new SettingsError(`${name} is not set; the remediation function is configured by the stack (serverless.yml, deploy/remediation.ts)`);
  return value;
}

const auditTable = required('AUDIT_TABLE_NAME');
const eventBus = process.env.EVENT_BUS_NAME || 'default';
// Clients are made on the first invocation that needs them: loading their SDK code is most of a cold start.
const audit = onFirstUse(async () => new DynamoDbAuditLog(new (await import('../lib/aws/sdk/dynamodb')).DynamoDBClient(awsClientConfig({ region })), auditTable));
const events = onFirstUse(async () => new EventBridgePublisher(new (await import('../lib/aws/sdk/eventbridge')).EventBridgeClient(awsClientConfig({ region })), stage, eventBus));
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

/** A member account of the organization, entered through its remediation role. */
export interface MemberTarget {
  name: string;
  clients: AwsClients;
}

/**
 * The remediation function. Organization mode (handlers/remediate-organization.ts) passes the way
 * into member accounts; the one-account function carries no Organizations or STS client, so its
 * bundle stays small.
 */
export function remediationHandler(enterMember?: (finding: Finding) => Promise<MemberTarget>) {
  return middy(async (event: unknown, lambda: Context) => {
    if (settings.organization && !enterMember) throw new SettingsError('Organization mode deploys handlers/remediate-organization.handler as the remediation function (deploy/stack.js)');
    const received = findingFromComplianceChange(event, RULES);
    logger.appendKeys({ eventId: received.eventId, ruleId: received.ruleId, resourceId: received.resourceId, accountId: received.accountId });
    // arn:aws:lambda:<region>:<account>:function:<name>
    checkFindingScope(received, RULES, { accountId: lambda.invokedFunctionArn.split(':')[4] ?? '', region, configRuleNames, ...(settings.organization && { organization: settings.organization }) });
    const member = enterMember ? await enterMember(received) : undefined;
    return remediate(member ? { ...received, accountName: member.name } : received, member, lambda);
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(failureLogging);
}

async function remediate(finding: Finding, member: MemberTarget | undefined, lambda: Context): Promise<RemediationRun> {
  const clients = member?.clients ?? ownClients;
  const context = { region: finding.region, accountId: finding.accountId };
  const run = await remediateFinding(finding, {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings,
    // The stack's KMS key and flow-log role live in this account: a member account's fix goes without them.
    stack: member ? {} : stack,
    audit: await audit(),
    events: await events(),
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
}

export const handler = remediationHandler();

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import middy from '@middy/core';
import { createAwsClients } from '../lib/aws/clients';
import { readResource } from '../lib/aws/inventory';
import { loadLookups } from '../lib/aws/lookups';
import { OutOfScopeError, SettingsError } from '../lib/errors';
import { findingFromComplianceChange } from '../lib/finding';
import { createLookups } from '../lib/lookups';
import { isResourceType } from '../lib/model';
import { MemberAccess } from '../lib/organization/member-access';
import { DynamoDbAuditLog } from '../lib/remediation/dynamodb-audit';
import { EventBridgePublisher } from '../lib/remediation/eventbridge-publisher';
import { remediateFinding, type RemediationRun } from '../lib/remediation/remediate';
import { deployedSettings } from '../lib/settings';
import { REMEDIATIONS } from '../remediations';
import { RULES } from '../rules';

const logger = new Logger({ serviceName: 'driftwarden' });
const metrics = new Metrics({ namespace: 'driftwarden', serviceName: 'driftwarden' });
const settings = deployedSettings(RULES);
const region = process.env.AWS_REGION ?? 'us-east-1';
const ownClients = createAwsClients({ region });
// Organization mode: findings arrive from every member account; each is fixed there, as its remediation role.
const members = settings.organization
  ? new MemberAccess({ organization: settings.organization, role: 'remediate', sts: new STSClient({ region }), organizations: new OrganizationsClient({ region: 'us-east-1' }), sessionName: 'driftwarden-remediate' })
  : undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new SettingsError(`${name} is not set; the remediation function is configured by the stack (serverless.yml, deploy/remediation.ts)`);
  return value;
}

const audit = new DynamoDbAuditLog(new DynamoDBClient({ region }), required('AUDIT_TABLE_NAME'));
const events = new EventBridgePublisher(new EventBridgeClient({ region }), required('DRIFTWARDEN_STAGE'), process.env.EVENT_BUS_NAME || 'default');
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

export const handler = middy(async (event: unknown) => {
  const received = findingFromComplianceChange(event, RULES);
  logger.appendKeys({ eventId: received.eventId, ruleId: received.ruleId, resourceId: received.resourceId, accountId: received.accountId });
  let member;
  try {
    member = members ? await members.enter(received.accountId, received.region) : undefined;
  } catch (error) {
    if (!(error instanceof OutOfScopeError)) throw error;
    logger.warn('Finding refused: account outside the organization scope', { region: received.region, reason: error.message });
    metrics.addMetric('RefusedFindings', MetricUnit.Count, 1);
    return { outcome: 'refused', summary: error.message };
  }
  const finding = member ? { ...received, accountName: member.account.name } : received;
  const clients = member?.clients ?? ownClients;
  const context = { region: finding.region, accountId: finding.accountId };
  const run = await remediateFinding(finding, {
    rules: RULES,
    remediations: REMEDIATIONS,
    settings,
    // The stack's KMS key and flow-log role live in this account: a member account's fix goes without them.
    stack: member ? {} : stack,
    audit,
    events,
    clients,
    readLiveResource: async (current) => (isResourceType(current.resourceType) ? readResource(current.resourceType, current.resourceId, clients, context) : undefined),
    loadLookups: async (rule, resource) => createLookups(await loadLookups(rule.lookups, clients, { resources: [resource] })),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  logger.info('Remediation finished', { ...run });
  recordMetrics(run, finding.ruleId);
  return run;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(failureLogging);

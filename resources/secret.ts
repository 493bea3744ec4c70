import type { DescribeSecretResponse, SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { accountFromArn, pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type LiveContext, type TerraformInstance, type TerraformModel, type TypedResource } from '../lib/resource-type';
import { asArray, asBoolean, asNumber, asObject, asString, readTime, tagMap, withoutUndefined } from '../lib/sources/values';

export interface SecretProperties {
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  automaticallyAfterDays?: number;
  /** `rate(10 days)` or `cron(…)`, when rotation uses a schedule expression. */
  scheduleExpression?: string;
  /** ISO 8601. Absent when the source does not carry it: then a lookup supplies it. */
  lastRotatedDate?: string;
  createdDate?: string;
  /** The service that manages the secret, e.g. `rds` for RDS-managed master passwords. */
  owningService?: string;
  /** False when Secrets Manager reports the last scheduled rotation did not happen (it is failing). */
  rotationOccurringAsScheduled?: boolean;
  /** Scheduled for deletion: nothing to rotate any more. */
  pendingDeletion?: boolean;
}

const PAGE_SIZE = 100;

/** Config records a `rate(N hours)` rotation as `AutomaticallyAfterHours`; give the rule the schedule it stands for. */
function hourlySchedule(hours: number | undefined): string | undefined {
  return hours === undefined ? undefined : `rate(${hours} hours)`;
}

/**
 * ListSecrets carries everything the rotation rule reads (RotationEnabled, RotationRules,
 * LastRotatedDate, CreatedDate, OwningService, Tags), so no DescribeSecret per secret.
 */
function fromApi(secret: SecretListEntry | DescribeSecretResponse, context: LiveContext): TypedResource<'AWS::SecretsManager::Secret', SecretProperties> {
  const rules = secret.RotationRules;
  return withoutUndefined({
    type: 'AWS::SecretsManager::Secret' as const,
    id: secret.ARN!,
    name: secret.Name,
    arn: secret.ARN,
    accountId: accountFromArn(secret.ARN) ?? context.accountId,
    region: context.region,
    tags: tagMap(secret.Tags),
    properties: withoutUndefined({
      rotationEnabled: secret.RotationEnabled ?? false,
      rotationLambdaArn: secret.RotationLambdaARN,
      automaticallyAfterDays: rules?.AutomaticallyAfterDays,
      scheduleExpression: rules?.ScheduleExpression,
      lastRotatedDate: readTime(secret.LastRotatedDate, 'LastRotatedDate'),
      createdDate: readTime(secret.CreatedDate, 'CreatedDate'),
      owningService: secret.OwningService,
      pendingDeletion: secret.DeletedDate !== undefined,
    }),
  });
}

function terraformRotation(rotation: TerraformInstance | undefined): TerraformModel<SecretProperties> {
  if (!rotation) return { properties: { rotationEnabled: false }, unknown: [] };
  const rules = asObject(asArray(rotation.values.rotation_rules)[0]);
  const unknownRules = asObject(asArray(rotation.unknown.rotation_rules)[0]);
  const unknown = unknownRules.automatically_after_days === true || unknownRules.schedule_expression === true ? ['rotation'] : [];
  return {
    properties: {
      // `rotation_enabled` is computed (unknown in a plan); a declared rotation resource enables rotation.
      rotationEnabled: asBoolean(rotation.values.rotation_enabled) ?? true,
      ...(asString(rotation.values.rotation_lambda_arn) ? { rotationLambdaArn: asString(rotation.values.rotation_lambda_arn) } : {}),
      ...(asNumber(rules.automatically_after_days) !== undefined ? { automaticallyAfterDays: asNumber(rules.automatically_after_days) } : {}),
      ...(asString(rules.schedule_expression) ? { scheduleExpression: asString(rules.schedule_expression) } : {}),
    },
    unknown,
  };
}

export default defineResourceType({
  type: 'AWS::SecretsManager::Secret',
  label: 'Secret',
  securityHubType: 'AwsSecretsManagerSecret',
  recordedByConfig: true,
  fromConfigItem(configuration, item) {
    const rules = asObject(configuration.RotationRules);
    const name = asString(configuration.Name) ?? item.resourceName ?? '';
    return {
      properties: {
        rotationEnabled: asBoolean(configuration.RotationEnabled) ?? false,
        rotationLambdaArn: asString(configuration.RotationLambdaARN),
        automaticallyAfterDays: asNumber(rules.AutomaticallyAfterDays),
        scheduleExpression: asString(rules.RotationScheduleExpression ?? rules.ScheduleExpression) ?? hourlySchedule(asNumber(rules.AutomaticallyAfterHours)),
        lastRotatedDate: readTime(configuration.LastRotatedDate, 'configuration.LastRotatedDate'),
        createdDate: readTime(configuration.CreatedDate, 'configuration.CreatedDate') ?? item.creationTime,
        // The item has no OwningService field: RDS-managed secrets show by tag or by their `rds!` name.
        owningService: item.tags['aws:secretsmanager:owningService'] ?? (name.startsWith('rds!') ? 'rds' : undefined),
        rotationOccurringAsScheduled: asBoolean(configuration.RotationOccurringAsScheduled),
        pendingDeletion: asBoolean(configuration.Deleted) === true || configuration.DeletedDate !== undefined,
      },
    };
  },
  live: {
    permissions: ['secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'],
    pageSizes: { 'SecretsManager:ListSecrets': PAGE_SIZE },
    async *list(clients, context) {
      const secretsManager = await clients.secretsManager();
      for await (const page of secretsManager.paginateListSecrets({ client: secretsManager.client }, { MaxResults: PAGE_SIZE })) {
        yield (page.SecretList ?? []).map((secret) => fromApi(secret, context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['ResourceNotFoundException'], async () => {
        const secretsManager = await clients.secretsManager();
        return fromApi(await secretsManager.client.send(new secretsManager.DescribeSecretCommand({ SecretId: id })), context);
      }),
    minimumCalls: ({ resources }) => ({ 'SecretsManager:ListSecrets': pages(resources, PAGE_SIZE) }),
  },
  terraform: {
    resources: {
      aws_secretsmanager_secret: (instance, { related }) => ({ name: asString(instance.values.name), ...terraformRotation(related.at(-1)) }),
    },
    related: { aws_secretsmanager_secret_rotation: 'secret_id' },
    key: (values) => asString(values.arn) ?? asString(values.id),
  },
  // Config items never carry rotation dates; resources listed with ListSecrets always do.
  lookupSubjects: {
    secretRotation: (secret) => (secret.properties.lastRotatedDate === undefined && secret.properties.createdDate === undefined ? [secret.id] : []),
  },
  consoleUrl: ({ region, resourceId, resourceName }) => `${consoleHost(region)}/secretsmanager/secret?name=${encodeURIComponent(resourceName ?? resourceId)}&region=${region}`,
  arn: ({ resourceId }) => (resourceId.startsWith('arn:') ? resourceId : undefined),
});

/**
 * `terraform show -json` output of a plan with `count` resources: module instances of ten resources
 * each (a VPC and its flow log, a security group, a volume, a bucket and its encryption, a topic, a
 * log group, a secret and its rotation), most created (ids unknown until apply, so references are
 * resolved through `configuration`), some unchanged. The same shape as the fixtures in
 * test/fixtures/terraform, with `planned_values`, `resource_changes` and `configuration`.
 */

const PROVIDER = 'registry.terraform.io/hashicorp/aws';
const TAGS = { ManagedBy: 'terraform', Project: 'bench' };
export const RESOURCES_PER_UNIT = 10;

interface Block {
  type: string;
  name: string;
  after: Record<string, unknown>;
  unknown: Record<string, unknown>;
  /** Attribute → the resource (in the same module) it refers to. */
  references?: Record<string, string>;
}

function unit(i: number, created: boolean): Block[] {
  const id = (prefix: string) => `${prefix}-${i.toString(16).padStart(17, '0')}`;
  const known = (value: unknown) => (created ? null : value);
  const unknownIds = created ? { id: true, arn: true } : {};
  const open = i % 10 === 0;
  return [
    { type: 'aws_vpc', name: 'this', after: { cidr_block: `10.${i % 256}.0.0/16`, enable_dns_support: true, id: known(id('vpc')), tags: TAGS, tags_all: TAGS }, unknown: unknownIds },
    {
      type: 'aws_flow_log',
      name: 'this',
      after: { traffic_type: i % 7 === 0 ? 'REJECT' : 'ALL', log_destination_type: 's3', log_destination: `arn:aws:s3:::flow-logs-${i}`, vpc_id: known(id('vpc')), subnet_id: null, eni_id: null, tags: null, tags_all: {} },
      unknown: { ...unknownIds, ...(created && { vpc_id: true }) },
      references: { vpc_id: 'aws_vpc.this' },
    },
    {
      type: 'aws_security_group',
      name: 'app',
      after: {
        name: `app-${i}`,
        description: 'Application',
        vpc_id: known(id('vpc')),
        ingress: [
          { cidr_blocks: ['0.0.0.0/0'], description: 'https', from_port: 443, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 443 },
          { cidr_blocks: open ? ['0.0.0.0/0'] : ['10.0.0.0/8'], description: 'ssh', from_port: 22, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 22 },
        ],
        egress: [{ cidr_blocks: ['0.0.0.0/0'], description: '', from_port: 0, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: '-1', security_groups: [], self: false, to_port: 0 }],
        id: known(id('sg')),
        tags: TAGS,
        tags_all: TAGS,
      },
      unknown: { ...unknownIds, ...(created && { vpc_id: true }), ingress: [{ cidr_blocks: [false], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [] }, { cidr_blocks: [false], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [] }] },
      references: { vpc_id: 'aws_vpc.this' },
    },
    { type: 'aws_ebs_volume', name: 'data', after: { availability_zone: 'eu-west-1a', size: 50, type: 'gp3', encrypted: i % 9 !== 0, kms_key_id: '', id: known(id('vol')), tags: TAGS, tags_all: TAGS }, unknown: { ...unknownIds, ...(created && { kms_key_id: true }) } },
    { type: 'aws_s3_bucket', name: 'assets', after: { bucket: `bench-assets-${i}`, force_destroy: false, id: known(`bench-assets-${i}`), tags: TAGS, tags_all: TAGS }, unknown: unknownIds },
    {
      type: 'aws_s3_bucket_server_side_encryption_configuration',
      name: 'assets',
      after: { bucket: `bench-assets-${i}`, expected_bucket_owner: null, rule: [{ apply_server_side_encryption_by_default: [{ kms_master_key_id: '', sse_algorithm: 'AES256' }], bucket_key_enabled: null }] },
      unknown: { id: created },
      references: { bucket: 'aws_s3_bucket.assets' },
    },
    { type: 'aws_sns_topic', name: 'events', after: { name: `events-${i}`, kms_master_key_id: i % 5 === 0 ? null : 'alias/aws/sns', fifo_topic: false, id: known(`arn:aws:sns:eu-west-1:123456789012:events-${i}`), tags: TAGS, tags_all: TAGS }, unknown: unknownIds },
    { type: 'aws_cloudwatch_log_group', name: 'app', after: { name: `/app/service-${i}`, kms_key_id: i % 4 === 0 ? null : 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-4333-8444-555566667777', retention_in_days: 30, id: known(`/app/service-${i}`), tags: TAGS, tags_all: TAGS }, unknown: unknownIds },
    { type: 'aws_secretsmanager_secret', name: 'db', after: { name: `app/db-${i}`, recovery_window_in_days: 30, kms_key_id: null, id: known(`arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-${i}-AbCdEf`), tags: TAGS, tags_all: TAGS }, unknown: unknownIds },
    {
      type: 'aws_secretsmanager_secret_rotation',
      name: 'db',
      after: { rotation_lambda_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate', rotation_rules: [{ automatically_after_days: i % 6 === 0 ? 120 : 30, duration: null, schedule_expression: null }], rotate_immediately: true, secret_id: known(`arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-${i}-AbCdEf`) },
      unknown: { id: created, ...(created && { secret_id: true }) },
      references: { secret_id: 'aws_secretsmanager_secret.db' },
    },
  ];
}

/** A plan of `count` resources (rounded up to whole units of ten) as the JSON text Terraform writes. */
export function syntheticPlanText(count: number): string {
  const units = Math.ceil(count / RESOURCES_PER_UNIT);
  const resourceChanges: unknown[] = [];
  const plannedModules: unknown[] = [];
  for (let i = 0; i < units; i++) {
    const created = i % 4 !== 0;
    const moduleAddress = `module.service[${i}]`;
    const planned: unknown[] = [];
    for (const block of unit(i, created)) {
      const address = `${moduleAddress}.${block.type}.${block.name}`;
      resourceChanges.push({
        address,
        module_address: moduleAddress,
        mode: 'managed',
        type: block.type,
        name: block.name,
        provider_name: PROVIDER,
        change: {
          actions: [created ? 'create' : 'no-op'],
          before: created ? null : block.after,
          after: block.after,
          after_unknown: block.unknown,
          before_sensitive: created ? false : {},
          after_sensitive: {},
        },
      });
      planned.push({ address, mode: 'managed', type: block.type, name: block.name, provider_name: PROVIDER, schema_version: 0, values: block.after, sensitive_values: {} });
    }
    plannedModules.push({ address: moduleAddress, resources: planned });
  }
  const moduleResources = unit(0, true).map((block) => ({
    address: `${block.type}.${block.name}`,
    mode: 'managed',
    type: block.type,
    name: block.name,
    provider_config_key: 'aws',
    expressions: Object.fromEntries(
      Object.entries(block.references ?? {}).map(([attribute, target]) => [attribute, { references: [`${target}.id`, target] }]),
    ),
    schema_version: 0,
  }));
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: { child_modules: plannedModules } },
    resource_changes: resourceChanges,
    configuration: {
      provider_config: { aws: { name: 'aws', full_name: PROVIDER, expressions: { region: { constant_value: 'eu-west-1' } } } },
      root_module: { module_calls: { service: { source: './modules/service', count_expression: { constant_value: units }, module: { resources: moduleResources } } } },
    },
    timestamp: '2026-06-15T12:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  });
}

import { InputFormatError } from '../errors';
import { createLookups, groupFlowLogsByVpc, type Lookups } from '../lookups';
import type { EncryptionProperties, FlowLog, FlowLogTrafficType, IngressRule, Resource, SecretProperties } from '../model';
import { countSkipped, type SourceResult } from './source';
import { asArray, asBoolean, asNumber, asObject, asString, isObject, readTime, tagMap, type JsonObject } from './values';

/**
 * `terraform show -json` output, for a saved plan or a state, as driftwarden resources.
 * Format: developer.hashicorp.com/terraform/internals/json-format.
 */

/** The `format_version` major this reader understands (plans are 1.x, states 1.0). */
const SUPPORTED_MAJOR_VERSION = 1;

/** One resource instance, whichever part of the JSON it came from. */
interface Instance {
  address: string;
  type: string;
  /** `module.app` or `module.app[0]`; empty at the root. */
  moduleAddress: string;
  values: JsonObject;
  /** The plan's `after_unknown` for this instance: `true` where a value is known only after apply. */
  unknown: JsonObject;
}

/** Types whose instances are folded into another resource or into lookups, not evaluated on their own. */
const MERGED_TYPES = new Set([
  'aws_flow_log',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_secretsmanager_secret_rotation',
]);

export function isTerraformJson(raw: unknown): raw is JsonObject {
  // An empty state is just `{"format_version":"1.0"}`.
  return isObject(raw) && typeof raw.format_version === 'string' && !('resourceType' in raw);
}

function checkFormatVersion(raw: JsonObject, file: string): void {
  const version = String(raw.format_version);
  const major = Number(version.split('.')[0]);
  if (major !== SUPPORTED_MAJOR_VERSION) {
    throw new InputFormatError(
      `${file}: Terraform JSON format_version ${version} is not supported (driftwarden reads ${SUPPORTED_MAJOR_VERSION}.x); ` +
        'produce it with a Terraform 1.x `terraform show -json`, or upgrade driftwarden.',
    );
  }
}

/** Instances of a plan: what `resource_changes` says will exist after apply. */
function planInstances(raw: JsonObject): { instances: Instance[]; destroyed: number } {
  const instances: Instance[] = [];
  let destroyed = 0;
  for (const entry of asArray(raw.resource_changes)) {
    const change = asObject(asObject(entry).change);
    const resource = asObject(entry);
    if (resource.mode !== 'managed') continue;
    const actions = asArray(change.actions);
    // A replacement (delete+create, in either order) is judged as the resource it creates.
    if (!actions.includes('create') && !actions.includes('update') && !actions.includes('no-op')) {
      if (actions.includes('delete') || actions.includes('forget')) destroyed++;
      continue;
    }
    instances.push({
      address: String(resource.address),
      type: String(resource.type),
      moduleAddress: asString(resource.module_address) ?? '',
      values: asObject(change.after),
      unknown: asObject(change.after_unknown),
    });
  }
  return { instances, destroyed };
}

/** Instances of a state, its root module and every child module under it. */
function stateInstances(raw: JsonObject): Instance[] {
  const instances: Instance[] = [];
  const pending = [{ module: asObject(asObject(raw.values).root_module), address: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const entry of asArray(next.module.resources)) {
      const resource = asObject(entry);
      if (resource.mode !== 'managed') continue;
      instances.push({
        address: String(resource.address),
        type: String(resource.type),
        moduleAddress: next.address,
        values: asObject(resource.values),
        unknown: {},
      });
    }
    for (const child of asArray(next.module.child_modules)) {
      pending.push({ module: asObject(child), address: asString(asObject(child).address) ?? '' });
    }
  }
  return instances;
}

const INDEX = /\[[^\]]*\]/g;

/**
 * Resolves a value that points at another resource (`vpc_id`, `security_group_id`, `secret_id`) to
 * that resource's key. A known value is the key itself; a value known only after apply is found
 * through the configuration's `references` (`aws_vpc.tools.id`) in the same module.
 */
class ReferenceResolver {
  private readonly referencesByConfigAddress = new Map<string, JsonObject>();
  private readonly instancesByConfigAddress = new Map<string, Instance[]>();
  private readonly instancesByAddress = new Map<string, Instance>();
  private indexed = false;

  constructor(
    private readonly raw: JsonObject,
    private readonly instances: readonly Instance[],
    private readonly keyOf: (instance: Instance) => string,
  ) {}

  /** Built on the first value that is unknown until apply: a state or a settled plan never needs it. */
  private index(): void {
    this.indexed = true;
    const pending = [{ module: asObject(asObject(this.raw.configuration).root_module), prefix: '' }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      for (const entry of asArray(next.module.resources)) {
        const resource = asObject(entry);
        this.referencesByConfigAddress.set(`${next.prefix}${resource.address}`, asObject(resource.expressions));
      }
      for (const [name, call] of Object.entries(asObject(next.module.module_calls))) {
        pending.push({ module: asObject(asObject(call).module), prefix: `${next.prefix}module.${name}.` });
      }
    }
    for (const instance of this.instances) {
      this.instancesByAddress.set(instance.address, instance);
      const configAddress = instance.address.replace(INDEX, '');
      const list = this.instancesByConfigAddress.get(configAddress);
      if (list) list.push(instance);
      else this.instancesByConfigAddress.set(configAddress, [instance]);
    }
  }

  /** The key of the resource `attribute` of `instance` points at, or undefined when it cannot be told. */
  resolve(instance: Instance, attribute: string): string | undefined {
    const value = asString(instance.values[attribute]);
    if (value !== undefined) return value;
    if (!this.indexed) this.index();
    const modulePrefix = instance.moduleAddress ? `${instance.moduleAddress.replace(INDEX, '')}.` : '';
    const expression = asObject(this.referencesByConfigAddress.get(instance.address.replace(INDEX, ''))?.[attribute]);
    for (const reference of asArray(expression.references)) {
      // References list `aws_vpc.tools.id` and then `aws_vpc.tools` (with `[0]` for count instances).
      const exact = this.instancesByAddress.get(`${instance.moduleAddress ? `${instance.moduleAddress}.` : ''}${String(reference)}`);
      if (exact) return this.keyOf(exact);
      const candidates = this.instancesByConfigAddress.get(`${modulePrefix}${String(reference)}`)?.filter(
        (candidate) => candidate.moduleAddress === instance.moduleAddress,
      );
      if (candidates?.length === 1) return this.keyOf(candidates[0]!);
    }
    return undefined;
  }
}

/** Whether the plan marks the value as known only after apply (it is then absent from `after`). */
function isUnknown(instance: Instance, attribute: string): boolean {
  return instance.unknown[attribute] === true;
}

function hasNestedUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasNestedUnknown);
  if (isObject(value)) return Object.values(value).some(hasNestedUnknown);
  return false;
}

/** Terraform maps of strings (tags) are used as they are; anything else goes through `tagMap`. */
function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  for (const key in value) if (typeof value[key] !== 'string') return tagMap(value);
  return value as Record<string, string>;
}

function normaliseProtocol(value: unknown): string {
  const protocol = String(value ?? '-1').toLowerCase();
  return protocol === 'all' ? '-1' : protocol;
}

/** Ingress rules with one source each, from any of the three ways Terraform declares them. */
function ingressRules(
  protocolValue: unknown,
  fromPort: unknown,
  toPort: unknown,
  description: string | undefined,
  sources: IngressRule['source'][],
): IngressRule[] {
  const protocol = normaliseProtocol(protocolValue);
  const ports = protocol === '-1' ? {} : { fromPort: asNumber(fromPort), toPort: asNumber(toPort) };
  return sources.map((source) => ({ protocol, ...ports, source, ...(description ? { description } : {}) }));
}

function cidrSources(...lists: unknown[]): IngressRule['source'][] {
  return lists.flatMap((list) => asArray(list)).flatMap((cidr) => (asString(cidr) ? [{ kind: 'cidr' as const, cidr: cidr as string }] : []));
}

function inlineIngress(instance: Instance, groupKey: string): IngressRule[] {
  return asArray(instance.values.ingress).flatMap((entry) => {
    const block = asObject(entry);
    return ingressRules(block.protocol, block.from_port, block.to_port, asString(block.description), [
      ...cidrSources(block.cidr_blocks, block.ipv6_cidr_blocks),
      ...asArray(block.security_groups).flatMap((groupId) => (asString(groupId) ? [{ kind: 'securityGroup' as const, groupId: groupId as string }] : [])),
      ...asArray(block.prefix_list_ids).flatMap((id) => (asString(id) ? [{ kind: 'prefixList' as const, prefixListId: id as string }] : [])),
      ...(block.self === true ? [{ kind: 'securityGroup' as const, groupId: groupKey }] : []),
    ]);
  });
}

/** `aws_security_group_rule` (type ingress) or `aws_vpc_security_group_ingress_rule`, as rules of their group. */
function separateIngress(instance: Instance, groupKey: string): IngressRule[] {
  const v = instance.values;
  if (instance.type === 'aws_security_group_rule') {
    if (v.type !== 'ingress') return [];
    const sources: IngressRule['source'][] = [
      ...cidrSources(v.cidr_blocks, v.ipv6_cidr_blocks),
      ...asArray(v.prefix_list_ids).flatMap((id) => (asString(id) ? [{ kind: 'prefixList' as const, prefixListId: id as string }] : [])),
    ];
    const sourceGroup = asString(v.source_security_group_id);
    if (sourceGroup) sources.push({ kind: 'securityGroup', groupId: sourceGroup });
    if (v.self === true) sources.push({ kind: 'securityGroup', groupId: groupKey });
    return ingressRules(v.protocol, v.from_port, v.to_port, asString(v.description), sources);
  }
  const sources = cidrSources([v.cidr_ipv4, v.cidr_ipv6]);
  const prefixListId = asString(v.prefix_list_id);
  if (prefixListId) sources.push({ kind: 'prefixList', prefixListId });
  const groupId = asString(v.referenced_security_group_id);
  if (groupId) sources.push({ kind: 'securityGroup', groupId });
  return ingressRules(v.ip_protocol, v.from_port, v.to_port, asString(v.description), sources).map((rule) => {
    const ruleId = asString(v.security_group_rule_id);
    return ruleId ? { ...rule, ruleId } : rule;
  });
}

/** What decides whether an ingress rule is open to the internet; an unknown group reference cannot make it so. */
const PUBLIC_EXPOSURE_ATTRIBUTES = ['cidr_blocks', 'ipv6_cidr_blocks', 'cidr_ipv4', 'cidr_ipv6', 'from_port', 'to_port', 'protocol', 'ip_protocol'];

function exposureIsUnknown(unknown: JsonObject): boolean {
  return PUBLIC_EXPOSURE_ATTRIBUTES.some((name) => hasNestedUnknown(unknown[name]));
}

/** Whether any ingress rule of a group (inline blocks) or of a separate rule resource is known only after apply. */
function ingressIsUnknown(instance: Instance): boolean {
  const inline = instance.unknown.ingress;
  if (inline === true) return true;
  return asArray(inline).some((block) => exposureIsUnknown(asObject(block))) || exposureIsUnknown(instance.unknown);
}

function encryptionOf(instance: Instance, encryptedAttribute: string | undefined, keyAttribute: string): { properties: EncryptionProperties; unknown: string[] } {
  const unknown: string[] = [];
  // The provider writes "" for unset computed strings (kms_key_id) and null for unset optional ones.
  const kmsKeyId = asString(instance.values[keyAttribute]);
  if (isUnknown(instance, keyAttribute)) unknown.push('kmsKeyId');
  let encrypted: boolean | undefined;
  if (encryptedAttribute === undefined) {
    // SNS topics and log groups: encrypted means "has a KMS key", which may be known only after apply.
    encrypted = isUnknown(instance, keyAttribute) ? undefined : kmsKeyId !== undefined;
  } else if (isUnknown(instance, encryptedAttribute)) {
    encrypted = undefined;
  } else {
    encrypted = asBoolean(instance.values[encryptedAttribute]) ?? false;
  }
  if (encrypted === undefined) unknown.push('encrypted');
  return { properties: { encrypted, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) }, unknown };
}

function bucketEncryption(configuration: Instance | undefined): { properties: EncryptionProperties; unknown: string[] } {
  // S3 has applied SSE-S3 to every new bucket since January 2023, so a bucket declared without an
  // encryption configuration is created encrypted with SSE-S3, exactly what AWS Config will record.
  if (!configuration) return { properties: { encrypted: true, algorithm: 'AES256' }, unknown: [] };
  const rule = asObject(asArray(configuration.values.rule)[0]);
  const byDefault = asObject(asArray(rule.apply_server_side_encryption_by_default)[0]);
  const unknownByDefault = asObject(asArray(asObject(asArray(configuration.unknown.rule)[0]).apply_server_side_encryption_by_default)[0]);
  const algorithm = asString(byDefault.sse_algorithm);
  if (unknownByDefault.sse_algorithm === true) return { properties: { encrypted: undefined }, unknown: ['encrypted'] };
  const kmsKeyId = asString(byDefault.kms_master_key_id);
  return {
    properties: { encrypted: algorithm !== undefined, ...(algorithm ? { algorithm } : {}), ...(kmsKeyId ? { kmsKeyId } : {}) },
    unknown: unknownByDefault.kms_master_key_id === true ? ['kmsKeyId'] : [],
  };
}

function secretRotationOf(rotation: Instance | undefined): { properties: SecretProperties; unknown: string[] } {
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

/** The id AWS Config gives the resource, when Terraform knows it; the address otherwise. */
function keyOf(instance: Instance): string {
  const v = instance.values;
  switch (instance.type) {
    case 'aws_rds_cluster':
      return asString(v.cluster_resource_id) ?? asString(v.id) ?? instance.address;
    case 'aws_sns_topic':
    case 'aws_secretsmanager_secret':
      return asString(v.arn) ?? asString(v.id) ?? instance.address;
    case 'aws_cloudwatch_log_group':
      return asString(v.name) ?? asString(v.id) ?? instance.address;
    case 'aws_s3_bucket':
      return asString(v.bucket) ?? asString(v.id) ?? instance.address;
    default:
      return asString(v.id) ?? instance.address;
  }
}

function flowLogOf(instance: Instance, vpcKey: string): FlowLog {
  const v = instance.values;
  return {
    flowLogId: asString(v.id) ?? instance.address,
    resourceId: vpcKey,
    ...(asString(v.traffic_type) ? { trafficType: v.traffic_type as FlowLogTrafficType } : {}),
    ...(asString(v.log_destination_type) ? { destinationType: asString(v.log_destination_type) } : {}),
    ...(asString(v.log_destination) ?? asString(v.log_group_name) ? { destination: asString(v.log_destination) ?? asString(v.log_group_name) } : {}),
  };
}

/** Reads `terraform show -json` output (already parsed) into resources and lookups. */
export function readTerraform(raw: unknown, file = 'Terraform JSON'): SourceResult {
  if (!isTerraformJson(raw)) {
    throw new InputFormatError(`${file} is not the JSON of \`terraform show -json\` (no format_version); run \`terraform show -json plan.tfplan > plan.json\`.`);
  }
  checkFormatVersion(raw, file);
  const isPlan = 'resource_changes' in raw || 'planned_values' in raw;
  const { instances, destroyed } = isPlan ? planInstances(raw) : { instances: stateInstances(raw), destroyed: 0 };
  const resolver = new ReferenceResolver(raw, instances, keyOf);
  const capturedAt = readTime(raw.timestamp, 'timestamp');

  const flowLogs: FlowLog[] = [];
  let unplacedFlowLogs = 0;
  // A rule whose group cannot be told might belong to any group: none of them can be confirmed.
  let unplacedIngressRules = 0;
  const extraIngress = new Map<string, { rules: IngressRule[]; unknown: boolean }>();
  const bucketEncryptionByBucket = new Map<string, Instance>();
  const rotationBySecret = new Map<string, Instance>();
  const skippedTypes: Record<string, number> = {};

  for (const instance of instances) {
    switch (instance.type) {
      case 'aws_flow_log': {
        if (asString(instance.values.vpc_id) === undefined && !isUnknown(instance, 'vpc_id')) break; // subnet or ENI flow log
        const vpcKey = resolver.resolve(instance, 'vpc_id');
        if (vpcKey === undefined) unplacedFlowLogs++;
        else flowLogs.push(flowLogOf(instance, vpcKey));
        break;
      }
      case 'aws_security_group_rule':
      case 'aws_vpc_security_group_ingress_rule': {
        const groupKey = resolver.resolve(instance, 'security_group_id');
        if (groupKey === undefined) {
          unplacedIngressRules++;
          break;
        }
        const entry = extraIngress.get(groupKey) ?? { rules: [], unknown: false };
        entry.rules.push(...separateIngress(instance, groupKey));
        entry.unknown ||= ingressIsUnknown(instance);
        extraIngress.set(groupKey, entry);
        break;
      }
      case 'aws_s3_bucket_server_side_encryption_configuration': {
        const bucket = resolver.resolve(instance, 'bucket');
        if (bucket !== undefined) bucketEncryptionByBucket.set(bucket, instance);
        break;
      }
      case 'aws_secretsmanager_secret_rotation': {
        const secret = resolver.resolve(instance, 'secret_id');
        if (secret !== undefined) rotationBySecret.set(secret, instance);
        break;
      }
    }
  }

  const resources: Resource[] = [];
  for (const instance of instances) {
    if (MERGED_TYPES.has(instance.type)) continue;
    const resource = resourceOf(instance);
    if (resource) resources.push(resource);
    else countSkipped(skippedTypes, instance.type);
  }

  /** Type, name, properties and unknowns of an instance; `undefined` for a type driftwarden has no model for. */
  function modelOf(instance: Instance, id: string): { type: Resource['type']; name?: string; properties: Resource['properties']; unknown: string[] } | undefined {
    const v = instance.values;
    switch (instance.type) {
      case 'aws_vpc':
        return { type: 'AWS::EC2::VPC', properties: { cidrBlock: asString(v.cidr_block), isDefault: false }, unknown: [] };
      case 'aws_security_group': {
        const extra = extraIngress.get(id);
        const ingress = inlineIngress(instance, id);
        if (extra) ingress.push(...extra.rules);
        return {
          type: 'AWS::EC2::SecurityGroup',
          name: asString(v.name),
          properties: { groupName: asString(v.name), vpcId: asString(v.vpc_id), ingress },
          unknown: ingressIsUnknown(instance) || extra?.unknown || unplacedIngressRules > 0 ? ['ingress'] : [],
        };
      }
      case 'aws_ebs_volume':
        return { type: 'AWS::EC2::Volume', ...encryptionOf(instance, 'encrypted', 'kms_key_id') };
      case 'aws_db_instance':
        return { type: 'AWS::RDS::DBInstance', name: asString(v.identifier), ...encryptionOf(instance, 'storage_encrypted', 'kms_key_id') };
      case 'aws_rds_cluster':
        return { type: 'AWS::RDS::DBCluster', name: asString(v.cluster_identifier), ...encryptionOf(instance, 'storage_encrypted', 'kms_key_id') };
      case 'aws_s3_bucket':
        return { type: 'AWS::S3::Bucket', name: asString(v.bucket), ...bucketEncryption(bucketEncryptionByBucket.get(id)) };
      case 'aws_sns_topic':
        return { type: 'AWS::SNS::Topic', name: asString(v.name), ...encryptionOf(instance, undefined, 'kms_master_key_id') };
      case 'aws_cloudwatch_log_group':
        return { type: 'AWS::Logs::LogGroup', name: asString(v.name), ...encryptionOf(instance, undefined, 'kms_key_id') };
      case 'aws_efs_file_system':
        return { type: 'AWS::EFS::FileSystem', name: asString(asObject(v.tags).Name), ...encryptionOf(instance, 'encrypted', 'kms_key_id') };
      case 'aws_secretsmanager_secret':
        return { type: 'AWS::SecretsManager::Secret', name: asString(v.name), ...secretRotationOf(rotationBySecret.get(id)) };
      default:
        return undefined;
    }
  }

  function resourceOf(instance: Instance): Resource | undefined {
    const id = keyOf(instance);
    const model = modelOf(instance, id);
    if (!model) return undefined;
    const v = instance.values;
    const arn = asString(v.arn);
    // arn:partition:service:region:account:resource
    const arnFields = arn?.split(':', 5);
    const resource = {
      type: model.type,
      id,
      name: model.name,
      arn,
      region: arnFields?.[3] || undefined,
      accountId: arnFields?.[4] || undefined,
      tags: stringMap(isObject(v.tags_all) ? v.tags_all : v.tags),
      address: instance.address,
      capturedAt,
      properties: model.properties,
    } as Resource;
    if (model.unknown.length > 0) resource.unknown = model.unknown;
    return resource;
  }

  const flowLogsByVpc = groupFlowLogsByVpc(flowLogs);
  const lookups: Lookups = {
    // A plan declares every flow log it manages: a VPC with none has none, unless some flow log's
    // VPC could not be told, in which case no VPC can be said to lack one.
    flowLogs: (vpcId) => flowLogsByVpc.get(vpcId) ?? (unplacedFlowLogs > 0 ? undefined : []),
    // Terraform carries no rotation history: the declared schedule is all a plan or state can show.
    secretRotation: () => ({}),
    keyManager: createLookups({}).keyManager,
  };
  return { origin: { kind: 'terraform', file }, resources, lookups, skippedTypes, destroyed };
}

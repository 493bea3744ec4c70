import { terraformDefinition, type AnyResourceTypeDefinition } from '../../resources';
import { InputFormatError } from '../errors';
import { groupFlowLogsByVpc, keyManagerOfAlias, type Lookups } from '../lookups';
import type { EncryptionProperties, FlowLog, FlowLogTrafficType, KeyManager, Resource } from '../model';
import type { AttributePath, TerraformInstance, TerraformModel, TerraformPlanFacts } from '../resource-type';
import { countSkipped, type SourceResult } from './source';
import { asArray, asBoolean, asObject, asString, isObject, readTime, tagMap, type JsonObject } from './values';

/**
 * `terraform show -json` output, for a saved plan or a state, as driftwarden resources.
 * Format: developer.hashicorp.com/terraform/internals/json-format.
 */

/** The `format_version` major this reader understands (plans are 1.x, states 1.0). */
const SUPPORTED_MAJOR_VERSION = 1;

type Instance = TerraformInstance;

/** Flow logs are not evaluated themselves: they answer the VPC rule's `flowLogs` lookup. */
const FLOW_LOG_TYPE = 'aws_flow_log';

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

/** A resource or data block of the configuration, wherever its module sits. */
interface ConfigBlock {
  /** `module.kms.aws_kms_key.this`, `data.aws_kms_alias.sns`: no instance keys. */
  address: string;
  mode: 'managed' | 'data';
  type: string;
  expressions: JsonObject;
}

interface ConfigModule {
  module: JsonObject;
  /** The calling module's prefix and the call's argument expressions; absent at the root. */
  parent?: { prefix: string; arguments: JsonObject };
}

/** The expression written for an attribute; nested blocks are arrays of expression maps (the first is read). */
function expressionAt(expressions: JsonObject, attribute: AttributePath): unknown {
  let value: unknown = expressions;
  for (const name of typeof attribute === 'string' ? [attribute] : attribute) {
    const object = Array.isArray(value) ? value[0] : value;
    if (!isObject(object)) return undefined;
    value = object[name];
  }
  return value;
}

/** Names in a reference that are not resources (`local.x` is not in the JSON configuration at all). */
const NON_RESOURCE_REFERENCES = new Set(['local', 'each', 'count', 'path', 'self', 'terraform', 'var', 'module', 'data']);

/** Module nesting a reference chain may follow before giving up (a guard against cycles). */
const MAX_REFERENCE_DEPTH = 32;

/**
 * The plan's `configuration`: what was written for each resource, per module. It tells an attribute
 * that was not written (the provider computes it) from one whose value is only known after apply,
 * and follows references through module outputs and variables to the resource they name.
 */
class PlanConfiguration {
  private readonly modules = new Map<string, ConfigModule>();
  private readonly blocks = new Map<string, ConfigBlock>();

  constructor(raw: JsonObject) {
    const pending: { module: JsonObject; prefix: string; parent?: ConfigModule['parent'] }[] = [
      { module: asObject(asObject(raw.configuration).root_module), prefix: '' },
    ];
    for (let next = pending.pop(); next; next = pending.pop()) {
      this.modules.set(next.prefix, { module: next.module, ...(next.parent && { parent: next.parent }) });
      for (const entry of asArray(next.module.resources)) {
        const block = asObject(entry);
        const address = `${next.prefix}${String(block.address)}`;
        this.blocks.set(address, { address, mode: block.mode === 'data' ? 'data' : 'managed', type: String(block.type), expressions: asObject(block.expressions) });
      }
      for (const [name, call] of Object.entries(asObject(next.module.module_calls))) {
        pending.push({
          module: asObject(asObject(call).module),
          prefix: `${next.prefix}module.${name}.`,
          parent: { prefix: next.prefix, arguments: asObject(asObject(call).expressions) },
        });
      }
    }
  }

  /** The configuration block an instance was made from, if the JSON carries configuration. */
  blockOf(instance: Instance): ConfigBlock | undefined {
    return this.blocks.get(instance.address.replace(INDEX, ''));
  }

  /**
   * Whether the attribute was written in the instance's block (statically: `dynamic` blocks are not
   * in the JSON configuration). Undefined when the block is not known, so nothing can be said.
   */
  isWritten(instance: Instance, attribute: AttributePath): boolean | undefined {
    const block = this.blockOf(instance);
    return block === undefined ? undefined : expressionAt(block.expressions, attribute) !== undefined;
  }

  /** The references of an attribute's expression, as written (`aws_kms_key.logs.arn`, `var.key`). */
  referencesOf(instance: Instance, attribute: AttributePath): string[] {
    const block = this.blockOf(instance);
    return block ? asArray(asObject(expressionAt(block.expressions, attribute)).references).map(String) : [];
  }

  /** The resource or data block an attribute's expression points at, through module outputs and variables. */
  targetOf(instance: Instance, attribute: AttributePath): { block: ConfigBlock; reference: string } | undefined {
    const prefix = instance.moduleAddress ? `${instance.moduleAddress.replace(INDEX, '')}.` : '';
    return this.follow(prefix, this.referencesOf(instance, attribute), 0);
  }

  private follow(prefix: string, references: readonly string[], depth: number): { block: ConfigBlock; reference: string } | undefined {
    if (depth > MAX_REFERENCE_DEPTH) return undefined;
    for (const reference of references) {
      const parts = reference.replace(INDEX, '').split('.');
      let found: { block: ConfigBlock; reference: string } | undefined;
      if (parts[0] === 'module' && parts.length >= 3) {
        const childPrefix = `${prefix}module.${parts[1]}.`;
        const output = asObject(asObject(this.modules.get(childPrefix)?.module.outputs)[parts[2]!]);
        found = this.follow(childPrefix, asArray(asObject(output.expression).references).map(String), depth + 1);
      } else if (parts[0] === 'var' && parts.length >= 2) {
        const parent = this.modules.get(prefix)?.parent;
        if (parent) found = this.follow(parent.prefix, asArray(asObject(parent.arguments[parts[1]!]).references).map(String), depth + 1);
      } else if (parts[0] === 'data' && parts.length >= 3) {
        const block = this.blocks.get(`${prefix}data.${parts[1]}.${parts[2]}`);
        if (block) found = { block, reference };
      } else if (parts.length >= 2 && !NON_RESOURCE_REFERENCES.has(parts[0]!)) {
        const block = this.blocks.get(`${prefix}${parts[0]}.${parts[1]}`);
        if (block) found = { block, reference };
      }
      if (found) return found;
    }
    return undefined;
  }

  /** A constant written for an attribute of a block (`name = "alias/aws/sns"`). */
  static constant(block: ConfigBlock, attribute: string): string | undefined {
    return asString(asObject(block.expressions[attribute]).constant_value);
  }
}

/**
 * Resolves a value that points at another resource (`vpc_id`, `security_group_id`, `secret_id`) to
 * that resource's key. A known value is the key itself; a value known only after apply is found
 * through the configuration (`aws_vpc.tools.id`, `module.sg.security_group_id`) when it names a
 * resource of the plan.
 */
/** The instances of one configuration block (`aws_vpc.tools`, every index and module instance of it). */
interface BlockInstances {
  all: Instance[];
  byAddress: Map<string, Instance>;
  byModule: Map<string, Instance[]>;
}

class ReferenceResolver {
  private instancesByConfigAddress: Map<string, BlockInstances> | undefined;

  constructor(
    private readonly configuration: PlanConfiguration,
    private readonly instances: readonly Instance[],
    private readonly keyOf: (instance: Instance) => string,
  ) {}

  /** The key of the resource `attribute` of `instance` points at, or undefined when it cannot be told. */
  resolve(instance: Instance, attribute: string): string | undefined {
    const value = asString(instance.values[attribute]);
    if (value !== undefined) return value;
    const target = this.configuration.targetOf(instance, attribute);
    if (!target || target.block.mode !== 'managed') return undefined;
    const candidates = this.candidates().get(target.block.address);
    if (!candidates) return undefined;
    // `aws_vpc.tools[0].id` names one instance of a counted resource.
    const index = /^(?:data\.)?[^.]+\.[^.[]+(\[[^\]]*\])/.exec(target.reference)?.[1];
    const exact = index === undefined ? undefined : candidates.byAddress.get(`${target.block.address}${index}`);
    if (exact) return this.keyOf(exact);
    const sameModule = candidates.byModule.get(instance.moduleAddress);
    if (sameModule?.length === 1) return this.keyOf(sameModule[0]!);
    return candidates.all.length === 1 ? this.keyOf(candidates.all[0]!) : undefined;
  }

  /** Indexed once, so resolving is a lookup however many instances a counted block has. */
  private candidates(): Map<string, BlockInstances> {
    if (this.instancesByConfigAddress) return this.instancesByConfigAddress;
    const index = new Map<string, BlockInstances>();
    for (const instance of this.instances) {
      const configAddress = instance.address.replace(INDEX, '');
      let block = index.get(configAddress);
      if (!block) index.set(configAddress, (block = { all: [], byAddress: new Map(), byModule: new Map() }));
      block.all.push(instance);
      if (!block.byAddress.has(instance.address)) block.byAddress.set(instance.address, instance);
      const moduleInstances = block.byModule.get(instance.moduleAddress);
      if (moduleInstances) moduleInstances.push(instance);
      else block.byModule.set(instance.moduleAddress, [instance]);
    }
    this.instancesByConfigAddress = index;
    return index;
  }
}

/** Whether the plan marks the value as known only after apply (it is then absent from `after`). */
function isUnknown(instance: Instance, attribute: string): boolean {
  return instance.unknown[attribute] === true;
}

/** Terraform maps of strings (tags) are used as they are; anything else goes through `tagMap`. */
function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  for (const key in value) if (typeof value[key] !== 'string') return tagMap(value);
  return value as Record<string, string>;
}

/** Terraform types of keys a plan creates: each is a customer managed key. */
const CUSTOMER_KEY_TYPES = new Set(['aws_kms_key', 'aws_kms_replica_key', 'aws_kms_external_key', 'aws_kms_replica_external_key', 'aws_kms_alias']);

/**
 * Who will manage a key that is known only after apply, from what the configuration names: a key or
 * alias this configuration creates (any module) is customer managed; a `data.aws_kms_alias` or
 * `data.aws_kms_key` of an alias is judged by the alias name.
 */
function keyManagerOfTarget(block: ConfigBlock): KeyManager | undefined {
  if (block.mode === 'managed') return CUSTOMER_KEY_TYPES.has(block.type) ? 'CUSTOMER' : undefined;
  if (block.type === 'aws_kms_alias') return keyManagerOfAlias(PlanConfiguration.constant(block, 'name') ?? '');
  if (block.type === 'aws_kms_key') return keyManagerOfAlias(PlanConfiguration.constant(block, 'key_id') ?? '');
  return undefined;
}

/** Settings that make a database or volume inherit its encryption from another (a snapshot, a source, a global cluster). */
const INHERITED_ENCRYPTION_ATTRIBUTES = ['snapshot_identifier', 'snapshot_id', 'replicate_source_db', 'replication_source_identifier', 'global_cluster_identifier', 'restore_to_point_in_time', 's3_import', 'source_db_cluster_identifier'];

/**
 * What encryption the service applies when the configuration does not say: RDS clusters (except
 * Aurora Serverless v1, always encrypted), RDS instances and EFS are created unencrypted; an EBS
 * volume follows the account's "encryption by default" setting, which a plan cannot show.
 */
function defaultEncryption(instance: Instance, configuration: PlanConfiguration, followsAccountDefault: boolean): boolean | undefined {
  if (followsAccountDefault || configuration.blockOf(instance) === undefined) return undefined;
  if (INHERITED_ENCRYPTION_ATTRIBUTES.some((attribute) => configuration.isWritten(instance, attribute) !== false)) return undefined;
  return false;
}

interface KeyReference {
  /** What the key will be, named for people: the resource it refers to (`module.kms.aws_kms_key.this`). */
  name: string;
  manager?: KeyManager;
}

/**
 * A key set in the configuration but known only after apply, named by what it refers to (a key of
 * this plan: `module.kms.aws_kms_key.this`), with its manager recorded for the key lookup. Undefined
 * when the key was not written.
 */
function keyReference(instance: Instance, attribute: AttributePath, configuration: PlanConfiguration, keyReferences: Map<string, KeyReference>): string | undefined {
  if (configuration.isWritten(instance, attribute) !== true) return undefined;
  const target = configuration.targetOf(instance, attribute);
  const name = target?.block.address ?? configuration.referencesOf(instance, attribute)[0] ?? 'a key known only after apply';
  const manager = target && keyManagerOfTarget(target.block);
  keyReferences.set(name, { name, ...(manager && { manager }) });
  return name;
}

function encryptionOf(
  instance: Instance,
  encryptedAttribute: string | undefined,
  keyAttribute: string,
  configuration: PlanConfiguration,
  keyReferences: Map<string, KeyReference>,
  followsAccountDefault: boolean,
): TerraformModel<EncryptionProperties> {
  const unknown: string[] = [];
  // The provider writes "" for unset computed strings (kms_key_id) and null for unset optional ones.
  let kmsKeyId = asString(instance.values[keyAttribute]);
  if (isUnknown(instance, keyAttribute)) {
    kmsKeyId = keyReference(instance, keyAttribute, configuration, keyReferences);
    // Not written: the service's AWS managed key (aws/rds, aws/elasticfilesystem), except where the
    // account may set a default key (EBS), and for what inherits its key from a source.
    if (kmsKeyId !== undefined || configuration.isWritten(instance, keyAttribute) !== false || defaultEncryption(instance, configuration, followsAccountDefault) === undefined) unknown.push('kmsKeyId');
  }
  // A key set in the configuration but known only after apply still means encryption is on.
  const keyIsSet = kmsKeyId !== undefined;
  let encrypted: boolean | undefined;
  if (encryptedAttribute === undefined) {
    // SNS topics and log groups: encrypted means "has a KMS key".
    encrypted = keyIsSet ? true : isUnknown(instance, keyAttribute) && configuration.isWritten(instance, keyAttribute) === undefined ? undefined : false;
  } else if (isUnknown(instance, encryptedAttribute)) {
    const written = configuration.isWritten(instance, encryptedAttribute);
    encrypted = keyIsSet ? true : written === false ? defaultEncryption(instance, configuration, followsAccountDefault) : undefined;
  } else {
    encrypted = asBoolean(instance.values[encryptedAttribute]) ?? false;
  }
  if (encrypted === undefined) unknown.push('encrypted');
  return { properties: { encrypted, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) }, unknown };
}

/** The id AWS Config gives the resource, when Terraform knows it; the address otherwise. */
function keyOf(instance: Instance): string {
  const key = terraformDefinition(instance.type)?.definition.terraform.key;
  return (key ? key(instance.values) : asString(instance.values.id)) ?? instance.address;
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
  const configuration = new PlanConfiguration(raw);
  const resolver = new ReferenceResolver(configuration, instances, keyOf);
  const capturedAt = readTime(raw.timestamp, 'timestamp');

  const flowLogs: FlowLog[] = [];
  let unplacedFlowLogs = 0;
  const keyReferences = new Map<string, KeyReference>();
  const plan: TerraformPlanFacts = {
    isWritten: (instance, attribute) => configuration.isWritten(instance, attribute),
    referencesOf: (instance, attribute) => configuration.referencesOf(instance, attribute),
    keyReference: (instance, attribute) => keyReference(instance, attribute, configuration, keyReferences),
    encryption: (instance, encryptedAttribute, keyAttribute, options) =>
      encryptionOf(instance, encryptedAttribute, keyAttribute, configuration, keyReferences, options?.followsAccountDefault ?? false),
  };
  // Related instances (standalone ingress rules, bucket encryption, secret rotation), with the key of the resource they point at.
  const related: { instance: Instance; definition: AnyResourceTypeDefinition; target: string | undefined }[] = [];
  const relatedByTarget = new Map<AnyResourceTypeDefinition, Map<string | undefined, Instance[]>>();
  const skippedTypes: Record<string, number> = {};
  const resources: Resource[] = [];

  for (const instance of instances) {
    if (instance.type === FLOW_LOG_TYPE) {
      if (asString(instance.values.vpc_id) === undefined && !isUnknown(instance, 'vpc_id')) continue; // subnet or ENI flow log
      const vpcKey = resolver.resolve(instance, 'vpc_id');
      if (vpcKey === undefined) unplacedFlowLogs++;
      else flowLogs.push(flowLogOf(instance, vpcKey));
      continue;
    }
    const mapping = terraformDefinition(instance.type);
    if (mapping?.role === 'related') {
      const entry = { instance, definition: mapping.definition, target: resolver.resolve(instance, mapping.definition.terraform.related![instance.type]!) };
      related.push(entry);
      const byTarget = relatedByTarget.get(entry.definition) ?? new Map<string | undefined, Instance[]>();
      relatedByTarget.set(entry.definition, byTarget);
      const belonging = byTarget.get(entry.target);
      if (belonging) belonging.push(instance);
      else byTarget.set(entry.target, [instance]);
    }
  }

  const keysByType = new Map<string, Set<string>>();
  for (const instance of instances) {
    const mapping = terraformDefinition(instance.type);
    if (instance.type === FLOW_LOG_TYPE || mapping?.role === 'related') continue;
    if (!mapping) {
      countSkipped(skippedTypes, instance.type);
      continue;
    }
    const { definition } = mapping;
    const id = keyOf(instance);
    const keys = keysByType.get(definition.type) ?? new Set<string>();
    keys.add(id);
    keysByType.set(definition.type, keys);
    const belonging = relatedByTarget.get(definition)?.get(id) ?? [];
    const model = definition.terraform.resources[instance.type]!(instance, { key: id, related: belonging, plan });
    const v = instance.values;
    const arn = asString(v.arn);
    // arn:partition:service:region:account:resource
    const arnFields = arn?.split(':', 5);
    const resource = {
      type: definition.type,
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
    resources.push(resource);
  }

  // Related instances whose resource the plan does not hold are judged on their own where their type says so.
  for (const { instance, definition, target } of related) {
    if (target !== undefined && keysByType.get(definition.type)?.has(target)) continue;
    const model = definition.terraform.standalone?.(instance, target, plan);
    if (!model) continue;
    const resource = {
      type: definition.type,
      id: model.id,
      name: model.name,
      tags: {},
      address: instance.address,
      ...(capturedAt !== undefined && { capturedAt }),
      properties: model.properties,
    } as Resource;
    if (model.unknown.length > 0) resource.unknown = model.unknown;
    resources.push(resource);
  }

  const flowLogsByVpc = groupFlowLogsByVpc(flowLogs);
  const lookups: Lookups = {
    // A plan declares every flow log it manages: a VPC with none has none, unless some flow log's
    // VPC could not be told, in which case no VPC can be said to lack one.
    flowLogs: (vpcId) => flowLogsByVpc.get(vpcId) ?? (unplacedFlowLogs > 0 ? undefined : []),
    // Terraform carries no rotation history: the declared schedule is all a plan or state can show.
    secretRotation: () => ({}),
    // A key known only after apply is named by what the configuration refers to; its manager comes from that.
    keyManager: (kmsKeyId) => keyManagerOfAlias(kmsKeyId) ?? keyReferences.get(kmsKeyId)?.manager,
  };
  return { origin: { kind: 'terraform', file }, resources, lookups, skippedTypes, destroyed };
}

import type { AwsClients } from './aws/clients';
import type { LookupName } from './lookups';
import type { JsonObject } from './sources/values';

/**
 * The contract of a catalogue entry (`resources/<type>.ts`): everything driftwarden knows about one
 * AWS resource type. The sources, the sweep, the remediation re-read and the alert links loop over
 * the catalogue; none of them names a resource type.
 */

/**
 * A configuration item in either of AWS Config's two shapes: the invoking-event form (`ARN`,
 * `awsAccountId`, `configuration` as an object) and the API form of GetResourceConfigHistory and
 * BatchGetResourceConfig (`arn`, `accountId`, `configuration` and supplementary values as JSON strings).
 */
export interface ConfigurationItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  status?: string;
  captureTime?: string;
  /** When the resource was created (`resourceCreationTime`), if Config knows. */
  creationTime?: string;
  tags: Record<string, string>;
  configuration: JsonObject | undefined;
  supplementary: JsonObject;
  relatedEvents: string[];
}

/** What every normalised resource carries besides its type and properties. */
export interface ResourceBase {
  /** The id AWS Config uses for the resource (vpc-…, sg-…, bucket name, topic ARN, secret ARN…). */
  id: string;
  name?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  tags: Record<string, string>;
  /** ISO 8601 time the source observed this state (Config: the item's capture time). */
  capturedAt?: string;
  /** Terraform address (`module.vpc.aws_vpc.this`), for resources read from a plan or state. */
  address?: string;
  /** Property names whose values are unknown until apply (Terraform plans). */
  unknown?: string[];
  /** Where the resource is declared: a path relative to the source root, and a 1-based line. */
  file?: string;
  line?: number;
  /** Lines of the declaration's top-level attributes and nested blocks, by Terraform name (source scans). */
  attributeLines?: Record<string, number>;
  /** Why attributes written in the source could not be evaluated, by Terraform name (source scans). */
  unknownReasons?: Record<string, string>;
  /** Exemptions written beside the declaration (`# driftwarden:exempt <rule-id> <reason>`): reason by rule id. */
  ruleExemptions?: Record<string, string>;
}

export interface TypedResource<T extends string, P> extends ResourceBase {
  type: T;
  properties: P;
}

/**
 * Encryption at rest, common to every storage type. `encrypted` is undefined when the source cannot
 * say (a value Terraform only knows after apply).
 */
export interface EncryptionProperties {
  encrypted?: boolean;
  /** Key id, key ARN, alias name or alias ARN, as the resource records it. */
  kmsKeyId?: string;
  /** S3 only: `AES256` (SSE-S3), `aws:kms`, `aws:kms:dsse`. */
  algorithm?: string;
}

/** Where resources are read live, and how many per-resource calls may run at once. */
export interface LiveContext {
  region: string;
  /** Used in ARNs the APIs do not return (EBS volumes, S3 buckets). */
  accountId?: string;
  /** Per-resource calls in flight at once (S3 encryption, SNS attributes). Default 16. */
  concurrency?: number;
}

/** What decides how many calls listing a type takes. */
export interface AccountShape {
  /** Resources of the type in the region. */
  resources: number;
  /** S3, SNS, log groups: how many carry tags (only those come back from the tagging API). Default: all. */
  tagged?: number;
  /** Security groups: ingress and egress rules in all, spread evenly over the groups. Default: 5 per group. */
  securityGroupRules?: number;
}

/** One resource instance of `terraform show -json`, whichever part of the JSON it came from. */
export interface TerraformInstance {
  address: string;
  type: string;
  /** `module.app` or `module.app[0]`; empty at the root. */
  moduleAddress: string;
  values: JsonObject;
  /** The plan's `after_unknown` for this instance: `true` where a value is known only after apply. */
  unknown: JsonObject;
}

/** An attribute, or the path to one inside nested blocks (`rule` → `apply_server_side_encryption_by_default` → `kms_master_key_id`). */
export type AttributePath = string | readonly string[];

/** What the plan's `configuration` tells about an instance, beyond its values. */
export interface TerraformPlanFacts {
  /** Whether the attribute was written in the instance's block; undefined when the block is not known. */
  isWritten(instance: TerraformInstance, attribute: AttributePath): boolean | undefined;
  /** The references of an attribute's expression, as written (`aws_kms_key.logs.arn`, `var.key`). */
  referencesOf(instance: TerraformInstance, attribute: AttributePath): string[];
  /**
   * A key set in the configuration but known only after apply, named by what it refers to
   * (`module.kms.aws_kms_key.this`), with its manager recorded for the key lookup. Undefined when not written.
   */
  keyReference(instance: TerraformInstance, attribute: AttributePath): string | undefined;
  /**
   * Encryption from a boolean attribute (or, when there is none, "has a KMS key") and a key attribute,
   * either of which may be known only after apply. A value not written takes the service's default:
   * unencrypted with no key, unless `followsAccountDefault` (EBS: the account's setting, which a plan
   * cannot show) or the resource inherits its encryption (a snapshot, a source database).
   */
  encryption(instance: TerraformInstance, encryptedAttribute: string | undefined, keyAttribute: string, options?: { followsAccountDefault?: boolean }): TerraformModel<EncryptionProperties>;
}

/** What a Terraform mapping is given besides the instance itself. */
export interface TerraformMappingContext {
  /** The id the resource is known by (its `terraform.key`, else its address). */
  key: string;
  /** Instances of the related Terraform types (`terraform.related`) that point at this resource, in plan order. */
  related: readonly TerraformInstance[];
  plan: TerraformPlanFacts;
}

export interface TerraformModel<P> {
  name?: string;
  properties: P;
  /** Property names whose values are known only after apply. */
  unknown: string[];
}

export interface ResourceTypeDefinition<T extends string = string, P = unknown> {
  /** The AWS Config / CloudFormation type name. */
  type: T;
  /** What a person calls it: "EBS volume", "SQS queue". */
  label: string;
  /** Security Hub's name for it in a finding's `Resources[].Type` (ASFF), or `Other` where it has none. */
  securityHubType: string;
  /** False when AWS Config does not record the type: only the periodic sweep sees it. */
  recordedByConfig: boolean;
  /** The name and properties of a (not deleted) configuration item of this type. */
  fromConfigItem(configuration: JsonObject, item: ConfigurationItem): { name?: string; properties: P };
  live: {
    /** IAM actions `list` and `read` call; deployed policies are built from these. */
    permissions: readonly string[];
    /** The largest page each listing API accepts, by `Service:Operation`, sent with every list call. */
    pageSizes: Readonly<Record<string, number>>;
    /** Every resource of the type in one region, one page at a time. */
    list(clients: AwsClients, context: LiveContext): AsyncGenerator<TypedResource<T, P>[]>;
    /** One resource by the id `list` (and AWS Config) gives it, as it is now; `undefined` when gone. */
    read(clients: AwsClients, id: string, context: LiveContext): Promise<TypedResource<T, P> | undefined>;
    /** The fewest calls, by `Service:Operation`, that `list` can take for an account of this shape. */
    minimumCalls(shape: AccountShape): Record<string, number>;
  };
  terraform: {
    /** Terraform resource types that map onto this type, each with its mapping. */
    resources: Readonly<Record<string, (instance: TerraformInstance, context: TerraformMappingContext) => TerraformModel<P>>>;
    /** Terraform types folded into this one, each with the attribute that names the resource it belongs to. */
    related?: Readonly<Record<string, string>>;
    /**
     * A related instance whose resource the plan does not hold (a rule added to an existing group),
     * judged on its own at its own address; undefined when it has nothing to judge. `target` is the
     * key it points at, when known. Without this, such instances are dropped.
     */
    standalone?(instance: TerraformInstance, target: string | undefined, plan: TerraformPlanFacts): (TerraformModel<P> & { id: string; name: string }) | undefined;
    /** The id AWS Config gives the resource, when the plan knows it. Default: `values.id`. */
    key?(values: JsonObject): string | undefined;
  };
  /** What each lookup must be asked about for a resource of this type (VPC ids for flow logs, key ids…). */
  lookupSubjects?: Partial<Record<LookupName, (resource: TypedResource<T, P>) => string[]>>;
  /** The resource's page in its own service console; `undefined` when that page needs what is not known. */
  consoleUrl(where: ResourceAddress): string | undefined;
  /** The resource's ARN built from what is known; `undefined` when that is not enough. */
  arn(where: ResourceAddress): string | undefined;
}

/** What alerts know of a resource: enough for its console page and ARN. */
export interface ResourceAddress {
  resourceId: string;
  resourceName?: string;
  accountId?: string;
  region: string;
}

export function defineResourceType<T extends string, P>(definition: ResourceTypeDefinition<T, P>): ResourceTypeDefinition<T, P> {
  return definition;
}

export function consoleHost(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}

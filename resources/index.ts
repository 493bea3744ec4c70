import type { EncryptionProperties, ResourceTypeDefinition, TypedResource } from '../lib/resource-type';
import dynamodbTable from './dynamodb-table';
import ebsVolume from './ebs-volume';
import ecrRepository from './ecr-repository';
import efsFileSystem from './efs-file-system';
import elastiCacheReplicationGroup from './elasticache-replication-group';
import kinesisStream from './kinesis-stream';
import logGroup from './log-group';
import rdsCluster from './rds-cluster';
import rdsInstance from './rds-instance';
import s3Bucket from './s3-bucket';
import secret from './secret';
import securityGroup from './security-group';
import snsTopic from './sns-topic';
import sqsQueue from './sqs-queue';
import vpc from './vpc';

/**
 * Every AWS resource type driftwarden reads. A new type is one file in this folder and one line
 * here; the sources, the sweep, the remediation re-read and the alert links find it through this list.
 */
export const CATALOGUE = [
  vpc, securityGroup, ebsVolume, rdsInstance, rdsCluster, s3Bucket, snsTopic, logGroup, efsFileSystem,
  secret,
  sqsQueue,
  dynamodbTable,
  elastiCacheReplicationGroup,
  kinesisStream,
  ecrRepository,
] as const;

type Entry = (typeof CATALOGUE)[number];

export type ResourceType = Entry['type'];

type PropertiesOf<E> = E extends ResourceTypeDefinition<any, infer P> ? P : never;

export type PropertiesByType = { [E in Entry as E['type']]: PropertiesOf<E> };

export type ResourceOf<T extends ResourceType> = TypedResource<T, PropertiesByType[T]>;

export type Resource = { [T in ResourceType]: ResourceOf<T> }[ResourceType];

/** The types that store data at rest, which `encryption-at-rest` checks and `enable-encryption` fixes. */
export type EncryptedResourceType = { [T in ResourceType]: PropertiesByType[T] extends EncryptionProperties ? T : never }[ResourceType];

/** The types `encryption-at-rest` checks and `enable-encryption` fixes: those that store data at rest. */
export const ENCRYPTED_RESOURCE_TYPES = [
  'AWS::EC2::Volume',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::Logs::LogGroup',
  'AWS::EFS::FileSystem',
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Kinesis::Stream',
  'AWS::ECR::Repository',
] as const satisfies readonly EncryptedResourceType[];

/** A catalogue entry as the loops over the catalogue use it. */
export type AnyResourceTypeDefinition = ResourceTypeDefinition<ResourceType, any>;

const BY_TYPE = new Map<string, AnyResourceTypeDefinition>(CATALOGUE.map((entry) => [entry.type, entry as AnyResourceTypeDefinition]));

export const RESOURCE_TYPES: readonly ResourceType[] = CATALOGUE.map((entry) => entry.type);

export function isResourceType(value: string): value is ResourceType {
  return BY_TYPE.has(value);
}

/** The catalogue entry of a type, or `undefined` for a type driftwarden has no model for. */
export function resourceTypeDefinition(type: string): AnyResourceTypeDefinition | undefined {
  return BY_TYPE.get(type);
}

/** The catalogue entry of one of the catalogue's own types. */
export function definitionOf(type: ResourceType): AnyResourceTypeDefinition {
  return BY_TYPE.get(type)!;
}

/** The catalogue entry that maps a Terraform resource type, and which role it plays there. */
export function terraformDefinition(terraformType: string): { definition: AnyResourceTypeDefinition; role: 'resource' | 'related' } | undefined {
  for (const definition of BY_TYPE.values()) {
    if (terraformType in definition.terraform.resources) return { definition, role: 'resource' };
    if (definition.terraform.related && terraformType in definition.terraform.related) return { definition, role: 'related' };
  }
  return undefined;
}

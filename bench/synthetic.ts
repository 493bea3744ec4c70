import type { LookupData } from '../lib/lookups';
import type { FlowLog, IngressRule, KeyManager, Resource, ResourceOf, ResourceType } from '../lib/model';
import { seededRandom as random } from '../test/seeded-random';

/** The moment every synthetic account is observed at, so runs are repeatable. */
export const BENCH_NOW = new Date('2026-06-15T12:00:00.000Z');
export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';

/** The same seed always builds the same account. */
export { random };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const daysAgo = (days: number) => new Date(BENCH_NOW.getTime() - days * 86_400_000).toISOString();

export const vpcId = (i: number) => `vpc-${hex(i, 17)}`;
export const groupId = (i: number) => `sg-${hex(i, 17)}`;
export const volumeId = (i: number) => `vol-${hex(i, 17)}`;
export const secretArn = (i: number) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:app/service-${i}-${hex(i, 6)}`;
export const keyArn = (i: number) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${hex(i, 8)}-1111-4222-8333-${hex(i, 12)}`;

function base<T extends ResourceType>(type: T, id: string, name: string | undefined, properties: ResourceOf<T>['properties']): ResourceOf<T> {
  return {
    type,
    id,
    ...(name !== undefined && { name }),
    accountId: ACCOUNT_ID,
    region: REGION,
    tags: { team: 'platform', env: 'prod' },
    capturedAt: daysAgo(1),
    properties,
  };
}

export function vpc(i: number): ResourceOf<'AWS::EC2::VPC'> {
  return base('AWS::EC2::VPC', vpcId(i), undefined, { cidrBlock: `10.${i % 256}.0.0/16`, isDefault: false });
}

/** Most VPCs have a working flow log; some fail to deliver, some capture only REJECT, some have none. */
export function flowLogsFor(i: number, draw: () => number): FlowLog[] {
  const roll = draw();
  if (roll < 0.1) return [];
  const flowLog: FlowLog = {
    flowLogId: `fl-${hex(i, 17)}`,
    resourceId: vpcId(i),
    trafficType: roll < 0.15 ? 'REJECT' : 'ALL',
    status: 'ACTIVE',
    deliverLogsStatus: roll < 0.2 ? 'FAILED' : 'SUCCESS',
    ...(roll < 0.2 && roll >= 0.15 && { deliverLogsErrorMessage: 'Access error' }),
    destinationType: 'cloud-watch-logs',
    destination: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/vpc/flow-logs/${i}`,
  };
  return [flowLog];
}

export function securityGroup(i: number, draw: () => number): ResourceOf<'AWS::EC2::SecurityGroup'> {
  const ingress: IngressRule[] = [
    { protocol: 'tcp', fromPort: 443, toPort: 443, source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
    { protocol: 'tcp', fromPort: 8080, toPort: 8080, source: { kind: 'securityGroup', groupId: groupId(i + 1) } },
    { protocol: 'icmp', fromPort: 8, toPort: -1, source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
  ];
  const roll = draw();
  if (roll < 0.1) ingress.push({ protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '0.0.0.0/0' } });
  if (roll < 0.03) ingress.push({ protocol: '-1', source: { kind: 'cidr', cidr: '::/0' } });
  if (roll > 0.8) ingress.push({ protocol: 'tcp', fromPort: 5432, toPort: 5432, source: { kind: 'cidr', cidr: '10.0.0.0/8' } });
  return base('AWS::EC2::SecurityGroup', groupId(i), `app-${i}`, { groupName: `app-${i}`, vpcId: vpcId(i % 50), ingress });
}

/** The storage types of encryption-at-rest in the proportions a typical account holds them. */
const STORAGE_MIX: { type: ResourceOf<EncryptedType>['type']; share: number }[] = [
  { type: 'AWS::EC2::Volume', share: 0.35 },
  { type: 'AWS::S3::Bucket', share: 0.25 },
  { type: 'AWS::Logs::LogGroup', share: 0.2 },
  { type: 'AWS::SNS::Topic', share: 0.08 },
  { type: 'AWS::RDS::DBInstance', share: 0.05 },
  { type: 'AWS::RDS::DBCluster', share: 0.02 },
  { type: 'AWS::EFS::FileSystem', share: 0.05 },
];

export type EncryptedType =
  | 'AWS::EC2::Volume'
  | 'AWS::S3::Bucket'
  | 'AWS::Logs::LogGroup'
  | 'AWS::SNS::Topic'
  | 'AWS::RDS::DBInstance'
  | 'AWS::RDS::DBCluster'
  | 'AWS::EFS::FileSystem';

export function storageTypeOf(i: number, count: number): EncryptedType {
  let position = (i + 0.5) / count;
  for (const { type, share } of STORAGE_MIX) {
    if (position < share) return type;
    position -= share;
  }
  return STORAGE_MIX[STORAGE_MIX.length - 1]!.type;
}

/** The id AWS Config uses for each storage type (bucket name, topic ARN, log group name…). */
export function storageId(type: EncryptedType, i: number): string {
  switch (type) {
    case 'AWS::EC2::Volume':
      return volumeId(i);
    case 'AWS::S3::Bucket':
      return `bench-bucket-${i}`;
    case 'AWS::Logs::LogGroup':
      return `/app/service-${i}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT_ID}:topic-${i}`;
    case 'AWS::RDS::DBInstance':
      return `db-${hex(i, 26).toUpperCase()}`;
    case 'AWS::RDS::DBCluster':
      return `cluster-${hex(i, 26).toUpperCase()}`;
    case 'AWS::EFS::FileSystem':
      return `fs-${hex(i, 17)}`;
  }
}

export function storage(type: EncryptedType, i: number, encrypted: boolean, draw: () => number): ResourceOf<EncryptedType> {
  const id = storageId(type, i);
  if (!encrypted) return base(type, id, undefined, { encrypted: false });
  if (type === 'AWS::S3::Bucket' && draw() < 0.6) return base(type, id, undefined, { encrypted: true, algorithm: 'AES256' });
  const kmsKeyId = draw() < 0.5 ? keyArn(i % 40) : `arn:aws:kms:${REGION}:${ACCOUNT_ID}:alias/aws/${type === 'AWS::SNS::Topic' ? 'sns' : 'ebs'}`;
  return base(type, id, undefined, { encrypted: true, kmsKeyId, ...(type === 'AWS::S3::Bucket' && { algorithm: 'aws:kms' }) });
}

export function secret(i: number, draw: () => number): ResourceOf<'AWS::SecretsManager::Secret'> {
  const roll = draw();
  const rotates = roll >= 0.1;
  return base('AWS::SecretsManager::Secret', secretArn(i), `app/service-${i}`, {
    rotationEnabled: rotates,
    ...(rotates && { rotationLambdaArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:rotate-${i % 10}`, automaticallyAfterDays: roll < 0.15 ? 180 : 30 }),
    createdDate: daysAgo(400 + (i % 300)),
    ...(rotates && { lastRotatedDate: daysAgo(roll < 0.2 ? 120 : 1 + (i % 29)) }),
    rotationOccurringAsScheduled: roll >= 0.2 || roll < 0.15,
  });
}

export interface RuleAccount {
  resources: Resource[];
  lookupData: LookupData;
}

/** `count` resources a rule evaluates, with the lookups its sweep would load, varied by `seed`. */
export function ruleAccount(ruleId: string, count: number, seed = 1): RuleAccount {
  const draw = random(seed);
  const resources: Resource[] = [];
  switch (ruleId) {
    case 'vpc-flow-logs': {
      const flowLogsByVpc = new Map<string, FlowLog[]>();
      for (let i = 0; i < count; i++) {
        resources.push(vpc(i));
        const logs = flowLogsFor(i, draw);
        if (logs.length > 0) flowLogsByVpc.set(vpcId(i), logs);
      }
      return { resources, lookupData: { flowLogsByVpc } };
    }
    case 'public-app-ports':
      for (let i = 0; i < count; i++) resources.push(securityGroup(i, draw));
      return { resources, lookupData: {} };
    case 'encryption-at-rest': {
      const keyManagers = new Map<string, KeyManager>();
      for (let k = 0; k < 40; k++) keyManagers.set(keyArn(k), 'CUSTOMER');
      for (let i = 0; i < count; i++) resources.push(storage(storageTypeOf(i, count), i, draw() >= 0.12, draw));
      return { resources, lookupData: { keyManagers } };
    }
    case 'secret-rotation':
      for (let i = 0; i < count; i++) resources.push(secret(i, draw));
      return { resources, lookupData: { secretRotation: new Map() } };
    default:
      throw new Error(`No synthetic account for rule ${ruleId}`);
  }
}

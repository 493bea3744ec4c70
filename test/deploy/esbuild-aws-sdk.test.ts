import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';

const { awsSdkTreeShaking, literalSchemaKeys, SCHEMA_MODULE } = require('../../scripts/esbuild-aws-sdk') as {
  awsSdkTreeShaking: Plugin;
  literalSchemaKeys: (source: string) => string;
  SCHEMA_MODULE: RegExp;
};

const execFileAsync = promisify(execFile);
const PROJECT_DIR = join(__dirname, '../..');
const SDK_DIR = join(PROJECT_DIR, 'node_modules/@aws-sdk');

/** Every generated schema module of the SDK packages driftwarden depends on (and their nested clients). */
function schemaModules(): string[] {
  const manifest = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const clients = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));
  const dirs = clients.map((name) => join(PROJECT_DIR, 'node_modules', name, 'dist-es/schemas'));
  const nested = join(SDK_DIR, 'nested-clients/dist-es/submodules');
  for (const submodule of readdirSync(nested)) dirs.push(join(nested, submodule, 'schemas'));
  return dirs.flatMap((dir) => readdirSync(dir).map((name) => join(dir, name))).filter((path) => SCHEMA_MODULE.test(path));
}

/** Bundles a module or a source the way serverless.yml bundles a function (`minify` aside). */
async function bundle(entry: { path: string } | { source: string }, plugins: Plugin[]): Promise<string> {
  const result = await build({
    ...('path' in entry ? { entryPoints: [entry.path] } : { stdin: { contents: entry.source, resolveDir: PROJECT_DIR, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return result.outputFiles[0]!.text;
}

async function bundleAndLoad(path: string, plugins: Plugin[]): Promise<Record<string, unknown>> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', await bundle({ path }, plugins))(module, module.exports, require);
  return module.exports;
}

const isClass = (value: Function) => /^class\b/.test(Function.prototype.toString.call(value));

/**
 * The first place where two schema values differ, or undefined. Schemas refer to each other through
 * thunks (`() => Volume$`), which are followed; error classes are compared by name.
 */
function difference(a: unknown, b: unknown, path: string, seen: Map<unknown, unknown>): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' && typeof a !== 'function') return path;
  if (seen.get(a) === b) return undefined;
  seen.set(a, b);
  if (typeof a === 'function') {
    const [fa, fb] = [a as Function, b as Function];
    if (isClass(fa) || fa.length > 0) return fa.name === fb.name && isClass(fa) === isClass(fb) ? undefined : path;
    return difference(fa(), fb(), `${path}()`, seen);
  }
  if (a instanceof Map && b instanceof Map) return difference([...a], [...b], `${path}<map>`, seen);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a)?.constructor?.name !== Object.getPrototypeOf(b)?.constructor?.name) return path;
  const [keysA, keysB] = [Object.keys(a), Object.keys(b as object)];
  if (keysA.join('\0') !== keysB.join('\0')) return `${path} keys`;
  for (const key of keysA) {
    const found = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (found) return found;
  }
  return undefined;
}

describe('Build: AWS SDK tree-shaking plugin', () => {
  it('rewrites computed keys naming a string constant, and nothing else', () => {
    const source = [
      'const _xN = "xmlName";',
      'const _e = "error";',
      'const n0 = "com.amazonaws.ec2";',
      'export var A$ = [3, n0, "A", 0, [_xN], [[0, { [_xN]: `Min`, [_e]: _xN }]]];',
      'export var B$ = [3, n0, "B", { [other]: 1 }, [], []];',
    ].join('\n');
    expect(literalSchemaKeys(source)).toBe(
      [
        'const _xN = "xmlName";',
        'const _e = "error";',
        'const n0 = "com.amazonaws.ec2";',
        'export var A$ = [3, n0, "A", 0, [_xN], [[0, { "xmlName": `Min`, "error": _xN }]]];',
        'export var B$ = [3, n0, "B", { [other]: 1 }, [], []];',
      ].join('\n'),
    );
  });

  const modules = schemaModules();

  it('finds the schema modules of every client driftwarden uses', () => {
    expect(modules.some((path) => path.includes('client-ec2'))).toBe(true);
    expect(modules.some((path) => path.includes('nested-clients'))).toBe(true);
  });

  it.each(modules.map((path) => [path.slice(SDK_DIR.length + 1), path]))('%s: no computed key is left', (_name, path) => {
    expect(literalSchemaKeys(readFileSync(path, 'utf8'))).not.toMatch(/\[[\w$]+\]\s*:/);
  });

  // The protocols (query, EC2, XML, JSON) serialise requests and parse responses from these schema
  // values alone, so equal schemas mean equal requests and equal parsed responses for every command.
  it.each(modules.map((path) => [path.slice(SDK_DIR.length + 1), path]))('%s: every exported schema is the same as without the plugin', async (_name, path) => {
    const [rewritten, original] = await Promise.all([bundleAndLoad(path, [awsSdkTreeShaking]), bundleAndLoad(path, [])]);
    expect(Object.keys(rewritten).length).toBeGreaterThan(0);
    expect(difference(rewritten, original, 'exports', new Map())).toBeUndefined();
  }, 60_000);
});

interface RecordedRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  target: string | undefined;
  body: string;
}

/**
 * Real-shaped answers (from the services' API references) to the calls the functions make most,
 * keyed by what identifies the operation on the wire.
 */
const RESPONSES: Record<string, { contentType: string; body: string }> = {
  'Action=DescribeVolumes': {
    contentType: 'text/xml',
    body: `<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>5a7b</requestId><volumeSet><item><volumeId>vol-049df61146c4d7901</volumeId><size>8</size><snapshotId>snap-1234567890abcdef0</snapshotId><availabilityZone>eu-west-1a</availabilityZone><status>in-use</status><createTime>2024-03-01T10:00:00.000Z</createTime><attachmentSet><item><volumeId>vol-049df61146c4d7901</volumeId><instanceId>i-1234567890abcdef0</instanceId><device>/dev/xvda</device><status>attached</status><attachTime>2024-03-01T10:00:00.000Z</attachTime><deleteOnTermination>true</deleteOnTermination></item></attachmentSet><volumeType>gp3</volumeType><iops>3000</iops><encrypted>false</encrypted><tagSet><item><key>Name</key><value>data</value></item></tagSet><multiAttachEnabled>false</multiAttachEnabled><throughput>125</throughput></item></volumeSet><nextToken>page-2</nextToken></DescribeVolumesResponse>`,
  },
  'Action=DescribeSecurityGroups': {
    contentType: 'text/xml',
    body: `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>5a7c</requestId><securityGroupInfo><item><ownerId>123456789012</ownerId><groupId>sg-0a1b2c3d</groupId><groupName>web</groupName><groupDescription>web</groupDescription><vpcId>vpc-1a2b3c4d</vpcId><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>5173</fromPort><toPort>5173</toPort><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>dev</description></item></ipRanges><ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges><prefixListIds/></item></ipPermissions><ipPermissionsEgress/><tagSet/><securityGroupArn>arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d</securityGroupArn></item></securityGroupInfo></DescribeSecurityGroupsResponse>`,
  },
  'Action=DescribeDBInstances': {
    contentType: 'text/xml',
    body: `<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>orders</DBInstanceIdentifier><DBInstanceArn>arn:aws:rds:eu-west-1:123456789012:db:orders</DBInstanceArn><Engine>postgres</Engine><StorageEncrypted>true</StorageEncrypted><KmsKeyId>arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab</KmsKeyId><InstanceCreateTime>2024-03-01T10:00:00.000Z</InstanceCreateTime><TagList><Tag><Key>team</Key><Value>orders</Value></Tag></TagList></DBInstance></DBInstances><Marker>m2</Marker></DescribeDBInstancesResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBInstancesResponse>`,
  },
  'Action=GetTopicAttributes': {
    contentType: 'text/xml',
    body: `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes><entry><key>TopicArn</key><value>arn:aws:sns:eu-west-1:123456789012:alerts</value></entry><entry><key>KmsMasterKeyId</key><value>alias/aws/sns</value></entry></Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetTopicAttributesResponse>`,
  },
  'TrentService.DescribeKey': {
    contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify({ KeyMetadata: { AWSAccountId: '123456789012', KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', CreationDate: 1.709287200123e9, Enabled: true, KeyManager: 'CUSTOMER', KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false } }),
  },
  'secretsmanager.DescribeSecret': {
    contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-a1b2c3', Name: 'db', RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 30 }, LastRotatedDate: 1.7092872e9, NextRotationDate: 1.7118792e9, Tags: [{ Key: 'team', Value: 'orders' }], VersionIdsToStages: { v1: ['AWSCURRENT'] } }),
  },
  'StarlingDoveService.PutEvaluations': {
    contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify({ FailedEvaluations: [{ ComplianceResourceType: 'AWS::EC2::Volume', ComplianceResourceId: 'vol-049df61146c4d7901', ComplianceType: 'NON_COMPLIANT', Annotation: 'not encrypted', OrderingTimestamp: 1.7092872e9 }] }),
  },
  'GET /orders-data/?encryption=': {
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
  },
};

/** The calls, made through the clients as the functions make them. */
const DRIVER = `
import { EC2Client, DescribeVolumesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { RDSClient, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { SNSClient, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { SecretsManagerClient, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { S3Client, GetBucketEncryptionCommand } from '@aws-sdk/client-s3';

async function run(endpoint: string) {
  const config = { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  const calls: [any, any][] = [
    [new EC2Client(config), new DescribeVolumesCommand({ MaxResults: 1000, NextToken: 'page-1', Filters: [{ Name: 'encrypted', Values: ['false'] }] })],
    [new EC2Client(config), new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0a1b2c3d'] })],
    [new RDSClient(config), new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: 'm1' })],
    [new SNSClient(config), new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' })],
    [new KMSClient(config), new DescribeKeyCommand({ KeyId: 'alias/orders' })],
    [new SecretsManagerClient(config), new DescribeSecretCommand({ SecretId: 'db' })],
    [new ConfigServiceClient(config), new PutEvaluationsCommand({ ResultToken: 'token', Evaluations: [{ ComplianceResourceType: 'AWS::EC2::Volume', ComplianceResourceId: 'vol-049df61146c4d7901', ComplianceType: 'NON_COMPLIANT', Annotation: 'not encrypted', OrderingTimestamp: new Date(1709287200000) }] })],
    [new S3Client({ ...config, forcePathStyle: true }), new GetBucketEncryptionCommand({ Bucket: 'orders-data' })],
  ];
  const outputs = [];
  for (const [client, command] of calls) {
    const { $metadata, ...output } = await client.send(command);
    outputs.push(output);
    client.destroy();
  }
  return outputs;
}

run(process.argv[2]!).then((outputs) => process.stdout.write(JSON.stringify(outputs)));
`;

describe('Build: bundled clients talk to AWS as the unbundled ones do', () => {
  let server: Server;
  let endpoint: string;
  const requests: RecordedRequest[] = [];

  const operationOf = (request: IncomingMessage, body: string) =>
    (request.headers['x-amz-target'] as string | undefined) ?? body.match(/^Action=\w+/)?.[0] ?? `${request.method} ${request.url}`;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        requests.push({ method: request.method!, url: request.url!, contentType: request.headers['content-type'], target: request.headers['x-amz-target'] as string | undefined, body });
        const answer = RESPONSES[operationOf(request, body)];
        if (!answer) {
          response.writeHead(400).end(`no answer for ${operationOf(request, body)}`);
          return;
        }
        response.writeHead(200, { 'content-type': answer.contentType, 'x-amzn-requestid': 'r' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the same requests and parses the same outputs with and without the plugin', async () => {
    const runs = [];
    const dir = mkdtempSync(join(tmpdir(), 'driftwarden-sdk-bundle-'));
    try {
      for (const plugins of [[awsSdkTreeShaking], []]) {
        // A process of its own: the SDK loads its credential and checksum code with dynamic import().
        const file = join(dir, `driver-${plugins.length}.js`);
        writeFileSync(file, await bundle({ source: DRIVER }, plugins));
        requests.length = 0;
        const { stdout } = await execFileAsync(process.execPath, [file, endpoint]);
        runs.push({ requests: [...requests], outputs: JSON.parse(stdout) as unknown[] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const [withPlugin, without] = runs as [{ requests: RecordedRequest[]; outputs: unknown[] }, { requests: RecordedRequest[]; outputs: unknown[] }];
    expect(withPlugin.requests).toHaveLength(Object.keys(RESPONSES).length);
    expect(withPlugin.requests).toEqual(without.requests);
    expect(withPlugin.outputs).toEqual(without.outputs);
    // The answers were parsed, not dropped: a nested list, a map, a date and a typed number came through.
    const [volumes, groups, , topic, key, , evaluations, encryption] = withPlugin.outputs as any[];
    expect(volumes.Volumes[0].Attachments[0].InstanceId).toBe('i-1234567890abcdef0');
    expect(volumes.Volumes[0].Size).toBe(8);
    expect(volumes.NextToken).toBe('page-2');
    expect(groups.SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp).toBe('0.0.0.0/0');
    expect(topic.Attributes.KmsMasterKeyId).toBe('alias/aws/sns');
    expect(key.KeyMetadata.CreationDate).toBe('2024-03-01T10:00:00.123Z');
    expect(evaluations.FailedEvaluations[0].OrderingTimestamp).toBe('2024-03-01T10:00:00.000Z');
    expect(encryption.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled).toBe(true);
  }, 60_000);
});


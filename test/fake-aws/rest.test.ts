import { DescribeFileSystemsCommand, EFSClient, paginateDescribeFileSystems } from '@aws-sdk/client-efs';
import { GetBucketEncryptionCommand, paginateListBuckets, S3Client } from '@aws-sdk/client-s3';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { FakeAws, FakeAwsError, XmlList, type CallRecord } from './server';

let fake: FakeAws;
const fastRetries = (attempts: number) => ({ retryStrategy: new ConfiguredRetryStrategy(attempts, 0) });
const CREATED = new Date('2026-01-02T03:04:05.000Z');
/** A REST call's input: path labels and query parameters. */
const inputOf = (call: CallRecord) => call.input as Record<string, string | undefined>;

beforeEach(async () => {
  fake = await FakeAws.start({ seed: 11 });
});
afterEach(async () => {
  await fake.close();
});

describe('Fake AWS endpoint: S3 (REST-XML)', () => {
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
  const s3 = (attempts = 1, forcePathStyle = false) => new S3Client({ ...fake.clientConfig(), ...fastRetries(attempts), followRegionRedirects: true, forcePathStyle });

  beforeEach(() => {
    fake.on('s3', 'ListBuckets', ({ input }) => {
      const start = Number(input['continuation-token'] ?? 0);
      const end = Math.min(names.length, start + Number(input['max-buckets'] ?? 10_000));
      return {
        ListAllMyBucketsResult: {
          Buckets: new XmlList('Bucket', names.slice(start, end).map((Name) => ({ Name, CreationDate: CREATED, BucketRegion: input['bucket-region'] }))),
          Owner: { ID: 'owner-canonical-id' },
          ...(end < names.length && { ContinuationToken: String(end) }),
        },
      };
    });
    fake.on('s3', 'GetBucketEncryption', ({ input }) => {
      if (input.Bucket === 'delta') throw new FakeAwsError('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', 404);
      return {
        ServerSideEncryptionConfiguration: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: `arn:aws:kms:us-east-1:111122223333:key/${input.Bucket}` }, BucketKeyEnabled: true } },
      };
    });
  });

  it('pages ListBuckets with the continuation token and page size the SDK sends', async () => {
    const pages = [];
    for await (const page of paginateListBuckets({ client: s3() }, { MaxBuckets: 2, BucketRegion: 'us-east-1' })) pages.push(page);
    expect(pages.map((page) => page.Buckets?.map((bucket) => bucket.Name))).toEqual([['alpha', 'bravo'], ['charlie', 'delta'], ['echo']]);
    expect(pages[0]!.Buckets![0]).toEqual({ Name: 'alpha', CreationDate: CREATED, BucketRegion: 'us-east-1' });
    expect(pages[0]!.Owner).toEqual({ ID: 'owner-canonical-id' });
    expect(fake.callsOf('ListBuckets', 's3').map((call) => [inputOf(call)['continuation-token'], inputOf(call)['max-buckets'], call.protocol])).toEqual([
      [undefined, '2', 'rest-xml'],
      ['2', '2', 'rest-xml'],
      ['4', '2', 'rest-xml'],
    ]);
  });

  it("reads a bucket's default encryption by path, and answers a bucket without one with S3's not-found error", async () => {
    const client = s3();
    const { ServerSideEncryptionConfiguration } = await client.send(new GetBucketEncryptionCommand({ Bucket: 'charlie' }));
    expect(ServerSideEncryptionConfiguration).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:111122223333:key/charlie' }, BucketKeyEnabled: true }],
    });
    await expect(client.send(new GetBucketEncryptionCommand({ Bucket: 'delta' }))).rejects.toMatchObject({
      name: 'ServerSideEncryptionConfigurationNotFoundError',
      message: 'The server side encryption configuration was not found',
      $metadata: { httpStatusCode: 404, requestId: 'req-2' },
    });
    // A name with dots would be addressed virtual-host style (`logs.example.com.127.0.0.1`) unless the client forces paths.
    await s3(1, true).send(new GetBucketEncryptionCommand({ Bucket: 'logs.example.com' }));
    expect(fake.callsOf('GetBucketEncryption').map((call) => inputOf(call).Bucket)).toEqual(['charlie', 'delta', 'logs.example.com']);
  });

  it('throttles with SlowDown, which the SDK retries', async () => {
    fake.inject({ fault: 'throttle', service: 's3', operation: 'GetBucketEncryption', times: 2 });
    await s3(3).send(new GetBucketEncryptionCommand({ Bucket: 'alpha' }));
    expect(fake.callsOf('GetBucketEncryption').map((call) => call.errorCode ?? call.status)).toEqual(['SlowDown', 'SlowDown', 200]);
  });

  it("answers a request no route names with S3's NotImplemented, naming it by method and path", async () => {
    const response = await fetch(`${fake.endpoint}/alpha/?tagging`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAFAKE/20260101/us-east-1/s3/aws4_request' } });
    expect(response.status).toBe(501);
    await expect(response.text()).resolves.toContain('<Code>NotImplemented</Code>');
    expect(fake.calls.map((call) => call.operation)).toEqual(['GET /alpha/']);
  });
});

describe('Fake AWS endpoint: EFS (REST-JSON)', () => {
  const fileSystems = ['fs-0000000a', 'fs-0000000b', 'fs-0000000c'].map((FileSystemId) => ({
    OwnerId: '111122223333',
    CreationToken: FileSystemId,
    FileSystemId,
    CreationTime: CREATED.getTime() / 1000,
    LifeCycleState: 'available',
    NumberOfMountTargets: 1,
    SizeInBytes: { Value: 6144 },
    PerformanceMode: 'generalPurpose',
    Encrypted: FileSystemId !== 'fs-0000000b',
    Tags: [{ Key: 'team', Value: 'platform' }],
  }));
  const efs = (attempts = 1) => new EFSClient({ ...fake.clientConfig(), ...fastRetries(attempts) });

  beforeEach(() => {
    fake.on('elasticfilesystem', 'DescribeFileSystems', ({ input }) => {
      if (input.FileSystemId) {
        const found = fileSystems.filter((fileSystem) => fileSystem.FileSystemId === input.FileSystemId);
        if (found.length === 0) throw new FakeAwsError('FileSystemNotFound', `File system '${input.FileSystemId}' does not exist.`, 404);
        return { FileSystems: found };
      }
      const start = Number(input.Marker ?? 0);
      const end = Math.min(fileSystems.length, start + Number(input.MaxItems ?? 100));
      return { FileSystems: fileSystems.slice(start, end), ...(input.Marker && { Marker: input.Marker }), ...(end < fileSystems.length && { NextMarker: String(end) }) };
    });
  });

  it('pages DescribeFileSystems with Marker and MaxItems, epoch-second times parsed to dates', async () => {
    const pages = [];
    for await (const page of paginateDescribeFileSystems({ client: efs() }, { MaxItems: 2 })) pages.push(page);
    expect(pages.map((page) => page.FileSystems?.map((fileSystem) => fileSystem.FileSystemId))).toEqual([['fs-0000000a', 'fs-0000000b'], ['fs-0000000c']]);
    expect(pages[0]!.FileSystems![1]).toEqual({ ...fileSystems[1], CreationTime: CREATED });
    expect(fake.callsOf('DescribeFileSystems', 'elasticfilesystem').map((call) => [inputOf(call).Marker, inputOf(call).MaxItems, call.protocol])).toEqual([
      [undefined, '2', 'rest-json'],
      ['2', '2', 'rest-json'],
    ]);
  });

  it("answers an unknown file system with EFS's modelled error", async () => {
    await expect(efs().send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-0000000f' }))).rejects.toMatchObject({
      name: 'FileSystemNotFound',
      ErrorCode: 'FileSystemNotFound',
      message: "File system 'fs-0000000f' does not exist.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it.each([
    ['throttle', 'ThrottlingException', 429],
    ['server-error', 'InternalServerError', 500],
  ] as const)('injects %s, which the SDK retries', async (fault, code, status) => {
    fake.inject({ fault, service: 'elasticfilesystem', times: 2 });
    const { FileSystems } = await efs(3).send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-0000000a' }));
    expect(FileSystems?.map((fileSystem) => fileSystem.FileSystemId)).toEqual(['fs-0000000a']);
    expect(fake.callsOf('DescribeFileSystems').map((call) => [call.errorCode ?? 'ok', call.status])).toEqual([
      [code, status],
      [code, status],
      ['ok', 200],
    ]);
  });
});

import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadLookups } from '../../lib/aws/lookups';
import { lookupPermissions } from '../../lib/lookups';
import type { Resource } from '../../lib/model';
import { itemResource } from '../helpers';
import { apiFixture, awsError, testClients } from './helpers';

const ec2 = mockClient(EC2Client);
const kms = mockClient(KMSClient);
const secrets = mockClient(SecretsManagerClient);

beforeEach(() => [ec2, kms, secrets].forEach((mock) => mock.reset()));

const VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const flowLogs = apiFixture('config/api-describe-flow-logs.json');

describe('loadLookups', () => {
  it('loads the flow logs of every VPC in a sweep from one paginated DescribeFlowLogs', async () => {
    const [vpcFlowLog, subnetFlowLog] = flowLogs.FlowLogs;
    const sent: object[] = [];
    ec2.on(DescribeFlowLogsCommand).callsFake((input) => {
      sent.push({ ...input });
      return sent.length === 1 ? { FlowLogs: [subnetFlowLog], NextToken: 'page-2' } : { FlowLogs: [vpcFlowLog] };
    });

    const data = await loadLookups(['flowLogs'], testClients(), { resources: [], allVpcs: true });

    expect(sent).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: 'page-2' }]);
    expect([...data.flowLogsByVpc!.keys()]).toEqual([VPC_ID]);
    expect(data.flowLogsByVpc!.get(VPC_ID)).toEqual([
      {
        flowLogId: 'fl-0a1b2c3d4e5f67890',
        resourceId: VPC_ID,
        trafficType: 'ALL',
        status: 'ACTIVE',
        deliverLogsStatus: 'SUCCESS',
        destinationType: 'cloud-watch-logs',
        destination: 'arn:aws:logs:eu-west-1:123456789012:log-group:/driftwarden/dev/vpc-flow-logs',
      },
    ]);
  });

  it('keeps a recorded flow log that lacks FlowLogId and DeliverLogsStatus, and its delivery error', async () => {
    const { FlowLogId: _id, DeliverLogsStatus: _status, ...partial } = flowLogs.FlowLogs[0];
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [{ ...partial, DeliverLogsErrorMessage: 'Access error' }] });
    const data = await loadLookups(['flowLogs'], testClients(), { resources: [], allVpcs: true });
    expect(data.flowLogsByVpc!.get(VPC_ID)).toEqual([
      expect.objectContaining({
        flowLogId: '(flow log without an id, to arn:aws:logs:eu-west-1:123456789012:log-group:/driftwarden/dev/vpc-flow-logs)',
        resourceId: VPC_ID,
        deliverLogsErrorMessage: 'Access error',
      }),
    ]);
  });

  it('filters DescribeFlowLogs by resource-id for the VPCs it is given', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves(flowLogs);

    const data = await loadLookups(['flowLogs'], testClients(), { resources: [itemResource('vpc')] });

    expect(ec2.commandCalls(DescribeFlowLogsCommand).map((call) => call.args[0].input)).toEqual([
      { MaxResults: 1000, Filters: [{ Name: 'resource-id', Values: [VPC_ID] }] },
    ]);
    expect(data.flowLogsByVpc!.get(VPC_ID)).toHaveLength(1);
  });

  it('makes no flow-log call when no VPC is in scope', async () => {
    const data = await loadLookups(['flowLogs'], testClients(), { resources: [itemResource('sg-compliant')] });
    expect(ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(0);
    expect(data.flowLogsByVpc?.size).toBe(0);
  });

  it('asks KMS once per distinct customer key, skips AWS-managed aliases and leaves deleted keys unknown', async () => {
    const volumeKey = 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const deletedKey = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-1111-4222-8333-444444444444';
    const volume = itemResource('ebs-volume-encrypted');
    const sameKeyVolume = { ...volume, id: 'vol-0aaaaaaaaaaaaaaaa' } as Resource;
    const deletedKeyCluster = { ...itemResource('rds-cluster-encrypted'), properties: { encrypted: true, kmsKeyId: deletedKey } } as Resource;
    kms.on(DescribeKeyCommand, { KeyId: volumeKey }).resolves(apiFixture('kms-describe-key.json'));
    kms.on(DescribeKeyCommand, { KeyId: deletedKey }).rejects(awsError('NotFoundException', `Key '${deletedKey}' does not exist`));

    const data = await loadLookups(['keyManager'], testClients(), {
      resources: [volume, sameKeyVolume, deletedKeyCluster, itemResource('sns-topic-kms'), itemResource('ebs-volume-unencrypted')],
    });

    expect(kms.commandCalls(DescribeKeyCommand).map((call) => call.args[0].input.KeyId)).toEqual([volumeKey, deletedKey]);
    expect([...data.keyManagers!]).toEqual([[volumeKey, 'CUSTOMER']]);
  });

  it('does not ask again for keys an earlier page of the sweep loaded', async () => {
    kms.on(DescribeKeyCommand).resolves(apiFixture('kms-describe-key.json'));
    const firstPage = await loadLookups(['keyManager'], testClients(), { resources: [itemResource('ebs-volume-encrypted')] });

    const secondPage = await loadLookups(['keyManager'], testClients(), {
      resources: [itemResource('ebs-volume-encrypted'), itemResource('rds-cluster-encrypted')],
      alreadyLoaded: firstPage,
    });

    expect(kms.commandCalls(DescribeKeyCommand).map((call) => call.args[0].input.KeyId)).toEqual([
      'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    ]);
    expect(secondPage.keyManagers?.size).toBe(2);
  });

  it('fails the lookup when KMS refuses access, rather than guessing', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: kms:DescribeKey', 400));
    await expect(loadLookups(['keyManager'], testClients(), { resources: [itemResource('ebs-volume-encrypted')] })).rejects.toThrow(
      'not authorized to perform: kms:DescribeKey',
    );
  });

  it('calls DescribeSecret only for secrets whose resource lacks rotation dates', async () => {
    secrets.on(DescribeSecretCommand).resolves(apiFixture('config/api-describe-secret.json'));
    const fromConfig = itemResource('secret-rotating');
    const fromListSecrets = { ...itemResource('secret-never-rotated'), properties: { rotationEnabled: false, createdDate: '2025-01-20T10:14:03.377Z' } } as Resource;

    const data = await loadLookups(['secretRotation'], testClients(), { resources: [fromConfig, fromListSecrets] });

    expect(secrets.commandCalls(DescribeSecretCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: fromConfig.id }]);
    expect(data.secretRotation!.get(fromConfig.id)).toEqual({ lastRotatedDate: '2025-06-08T02:17:45.220Z', createdDate: '2025-03-18T08:22:44.901Z' });
  });

  it('loads nothing that is not asked for', async () => {
    await expect(loadLookups([], testClients(), { resources: [itemResource('vpc')], allVpcs: true })).resolves.toEqual({});
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('lookupPermissions', () => {
  // What each mocked client's service is called in IAM.
  const services = [
    ['ec2', ec2],
    ['kms', kms],
    ['secretsmanager', secrets],
  ] as const;

  it.each([
    ['flowLogs', itemResource('vpc')],
    ['keyManager', itemResource('ebs-volume-encrypted')],
    ['secretRotation', itemResource('secret-rotating')],
  ] as const)('grants exactly the calls loading %s makes', async (lookup, resource) => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    kms.on(DescribeKeyCommand).resolves(apiFixture('kms-describe-key.json'));
    secrets.on(DescribeSecretCommand).resolves({});

    await loadLookups([lookup], testClients(), { resources: [resource] });

    const called = services.flatMap(([service, mock]) => mock.calls().map((call) => `${service}:${call.args[0].constructor.name.replace(/Command$/, '')}`));
    expect(called.length).toBeGreaterThan(0);
    expect([...new Set(called)].sort()).toEqual(lookupPermissions(lookup));
  });
});

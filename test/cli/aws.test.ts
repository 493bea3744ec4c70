import { DescribeFlowLogsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { awsLiveCollector } from '../../cli/aws';
import { RULES } from '../../rules';
import { apiFixture } from '../aws/helpers';

const ec2 = mockClient(EC2Client);
const vpcFlowLogs = RULES.filter((rule) => rule.id === 'vpc-flow-logs');

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
});

afterAll(() => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('CLI: the live collector', () => {
  it('lists every region asked for and answers flow-log lookups across them', async () => {
    const [first, second] = apiFixture('ec2-describe-vpcs.json').Vpcs;
    const flowLogs = apiFixture('config/api-describe-flow-logs.json').FlowLogs;
    ec2.on(DescribeVpcsCommand).callsFake(async (_input, getClient) => ({ Vpcs: [(await getClient().config.region()) === 'eu-west-1' ? first : second] }));
    ec2.on(DescribeFlowLogsCommand).callsFake(async (_input, getClient) => ({
      FlowLogs: (await getClient().config.region()) === 'eu-west-1' ? flowLogs.filter((log: any) => log.ResourceId === first.VpcId) : [],
    }));
    const collection = await awsLiveCollector.collect({ rules: vpcFlowLogs, regions: ['eu-west-1', 'us-east-1'], concurrency: 2 });
    expect(collection.resources.map((resource) => [resource.id, resource.region])).toEqual([
      [first.VpcId, 'eu-west-1'],
      [second.VpcId, 'us-east-1'],
    ]);
    expect(collection.lookups.flowLogs(first.VpcId)!.length).toBeGreaterThan(0);
    expect(collection.lookups.flowLogs(second.VpcId)).toEqual([]);
    expect(collection.errors).toEqual([]);
  });
});

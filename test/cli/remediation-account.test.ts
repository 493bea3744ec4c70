import 'aws-sdk-client-mock-jest';
import { DescribeFlowLogsCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { connectToAccount } from '../../cli/remediation-account';
import { findingFromComplianceChange } from '../../lib/finding';
import { RULES } from '../../rules';
import { fixture, itemResource } from '../helpers';

const ec2 = mockClient(EC2Client);
beforeEach(() => ec2.reset());

describe('connectToAccount', () => {
  it('re-reads a finding\'s resource live, with its security group rule ids, in the finding\'s region', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves(fixture('config/api-describe-security-groups.json'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves(fixture('config/api-describe-security-group-rules.json'));
    const account = connectToAccount({ region: 'us-east-1', auditTable: 'driftwarden-dev-remediation-audit' });
    const resource = await account.readLiveResource(findingFromComplianceChange(fixture('config/compliance-change-noncompliant.json'), RULES));
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0f1e2d3c4b5a69788'] });
    expect(resource).toMatchObject({ type: 'AWS::EC2::SecurityGroup', id: 'sg-0f1e2d3c4b5a69788', region: 'eu-west-1' });
    expect(resource?.type === 'AWS::EC2::SecurityGroup' && resource.properties.ingress[0]?.ruleId).toBe('sgr-0a11b22c33d44e551');
    expect(account.clients('eu-west-1').region).toBe('eu-west-1');
    expect(account.clients('').region).toBe('us-east-1');
  });

  it('loads the lookups the rule needs for the resource', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves(fixture('config/api-describe-flow-logs.json'));
    const account = connectToAccount({ region: 'eu-west-1', auditTable: 'driftwarden-dev-remediation-audit' });
    const vpcRule = RULES.find((rule) => rule.id === 'vpc-flow-logs')!;
    const lookups = await account.loadLookups(vpcRule, itemResource('vpc'));
    expect(lookups.flowLogs('vpc-0a1b2c3d4e5f60718')?.map((flowLog) => flowLog.flowLogId)).toEqual(['fl-0a1b2c3d4e5f67890']);
  });
});

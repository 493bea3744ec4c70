import { ConfigServiceClient, SelectAggregateResourceConfigCommand } from '@aws-sdk/client-config-service';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../cli/main';
import { AGGREGATOR_PAGE_SIZE } from '../../lib/organization/aggregator';
import { fixture, NOW } from '../helpers';
import { Capture } from './run';

/**
 * `scan --aggregator` against a mocked aggregator: SelectAggregateResourceConfig answers in pages,
 * each result a JSON string of the selected item fields, as Config's advanced query returns them
 * (`accountId`, `awsRegion`, `configuration` as an object, tags as `{ key, value }`).
 */
const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);

/** A recorded item of the fixtures as one advanced-query result of another account. */
function resultFor(fixtureName: string, accountId: string, region: string): string {
  const item = fixture(`config/${fixtureName}.json`);
  return JSON.stringify({
    resourceId: item.resourceId,
    resourceType: item.resourceType,
    resourceName: item.resourceName,
    arn: item.ARN.replace(item.awsAccountId, accountId).replace(item.awsRegion, region),
    accountId,
    awsRegion: region,
    configurationItemStatus: item.configurationItemStatus,
    configurationItemCaptureTime: item.configurationItemCaptureTime,
    configuration: item.configuration,
    supplementaryConfiguration: item.supplementaryConfiguration,
    tags: Object.entries(item.tags as Record<string, string>).map(([key, value]) => ({ key, value })),
  });
}

async function scanAggregator(args: string[]) {
  const stdout = new Capture(false);
  const stderr = new Capture(false);
  const code = await runCli(['scan', '--aggregator', 'organization', '--region', 'eu-west-1', '--rule', 'public-app-ports', '--format', 'json', ...args], { stdout, stderr, now: () => NOW });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeEach(() => {
  config.reset();
  sts.reset();
});

describe('CLI: driftwarden scan --aggregator', () => {
  it('reads every page of the organization\'s items and judges each account\'s resources, assuming no role', async () => {
    config
      .on(SelectAggregateResourceConfigCommand)
      .resolvesOnce({ Results: [resultFor('sg-public-app', '333333333333', 'eu-west-1')], NextToken: 'page-2' })
      .resolvesOnce({ Results: [resultFor('sg-public-app', '444444444444', 'us-east-1'), resultFor('sg-compliant', '444444444444', 'us-east-1')] });
    const run = await scanAggregator([]);
    const { summary, findings } = JSON.parse(run.stdout);
    expect(summary.source).toEqual({ kind: 'aggregator', aggregator: 'organization' });
    // The same security group id in two accounts is two resources.
    expect(summary.resources).toBe(3);
    expect(findings.filter((finding: { compliance: string }) => finding.compliance === 'NON_COMPLIANT').map((finding: { accountId: string }) => finding.accountId).sort()).toEqual(['333333333333', '444444444444']);
    const queries = config.commandCalls(SelectAggregateResourceConfigCommand).map((call) => call.args[0].input);
    expect(queries).toEqual([
      expect.objectContaining({ ConfigurationAggregatorName: 'organization', Limit: AGGREGATOR_PAGE_SIZE }),
      expect.objectContaining({ ConfigurationAggregatorName: 'organization', Limit: AGGREGATOR_PAGE_SIZE, NextToken: 'page-2' }),
    ]);
    expect(queries[0]!.NextToken).toBeUndefined();
    expect(queries[0]!.Expression).toBe(
      "SELECT resourceId, resourceType, resourceName, arn, accountId, awsRegion, configurationItemStatus, configurationItemCaptureTime, configuration, supplementaryConfiguration, tags WHERE resourceType IN ('AWS::EC2::SecurityGroup')",
    );
    expect(sts.calls()).toHaveLength(0);
    expect(run.code).toBe(1);
  });

  it('asks for flow logs too when a selected rule looks them up', async () => {
    config.on(SelectAggregateResourceConfigCommand).resolves({ Results: [] });
    await scanAggregator(['--rule', 'vpc-flow-logs']);
    expect(config.commandCalls(SelectAggregateResourceConfigCommand)[0]!.args[0].input.Expression).toContain("WHERE resourceType IN ('AWS::EC2::FlowLog', 'AWS::EC2::SecurityGroup', 'AWS::EC2::VPC')");
  });

  it('names a missing aggregator', async () => {
    config.on(SelectAggregateResourceConfigCommand).rejects(Object.assign(new Error('The configuration aggregator does not exist.'), { name: 'NoSuchConfigurationAggregatorException' }));
    const run = await scanAggregator([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No AWS Config aggregator named "organization" in this account and region');
  });

  it('takes one source only', async () => {
    const run = await scanAggregator(['--demo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Give one source');
  });
});

import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { loadLookups } from '../../lib/aws/lookups';
import { evaluateResource } from '../../lib/evaluate';
import { createLookups } from '../../lib/lookups';
import { parseRuleParameters } from '../../lib/rule';
import { collectLiveResources, type LiveScanResult } from '../../lib/sources/live';
import { RULES } from '../../rules';
import { testClients } from '../aws/helpers';
import { itemResource, NOW } from '../helpers';
import { mockAccount } from './live-account';

const { mocks, answer } = mockAccount();

let live: LiveScanResult;
beforeAll(async () => {
  answer();
  live = await collectLiveResources({ rules: RULES, regions: ['eu-west-1'], clientsFor: () => testClients(), accountId: '123456789012' });
});

const CASES: [ruleId: string, configItem: string, parameters: object][] = [
  ['vpc-flow-logs', 'vpc', {}],
  ['vpc-flow-logs', 'vpc', { trafficType: 'REJECT' }],
  ['public-app-ports', 'sg-public-app', {}],
  ['public-app-ports', 'sg-public-app', { authorizedTcpPorts: '22,443,4000,5173' }],
  ...[
    'ebs-volume-encrypted',
    'ebs-volume-unencrypted',
    'rds-instance-unencrypted',
    'rds-cluster-encrypted',
    's3-bucket-sse-s3',
    's3-bucket-sse-kms',
    's3-bucket-no-encryption-config',
    'sns-topic-kms',
    'sns-topic-no-kms',
    'efs-unencrypted',
    'sqs-queue-sse-sqs',
    'sqs-queue-kms',
    'sqs-queue-unencrypted',
    'dynamodb-table-owned-key',
    'dynamodb-table-kms',
    'kinesis-stream-unencrypted',
    'kinesis-stream-kms',
    'ecr-repository-aes256',
    'ecr-repository-kms',
  ].flatMap((item): [string, string, object][] => [
    ['encryption-at-rest', item, {}],
    ['encryption-at-rest', item, { requireCustomerManagedKey: 'true' }],
  ]),
  ['secret-rotation', 'secret-rotating', {}],
  ['secret-rotation', 'secret-rotating', { maxAgeDays: '5' }],
  ['secret-rotation', 'secret-never-rotated', {}],
];

describe('Parity: live API source and AWS Config items', () => {
  it.each(CASES)('%s gives %s the same verdict from both sources (%j)', async (ruleId, configItem, parameters) => {
    const rule = RULES.find((candidate) => candidate.id === ruleId)!;
    const params = parseRuleParameters(rule, parameters);
    const fromConfig = itemResource(configItem);
    // The change-triggered path: lookups filtered to the one resource, as the Config rule handler loads them.
    const configLookups = createLookups(await loadLookups(rule.lookups, testClients(), { resources: [fromConfig] }));
    const region = live.regions[0]!;
    const fromApi = region.resources.find((resource) => resource.type === fromConfig.type && resource.id === fromConfig.id);
    expect(fromApi).toBeDefined();

    const viaConfig = evaluateResource(rule, params, fromConfig, configLookups, NOW);
    const viaApi = evaluateResource(rule, params, fromApi!, region.lookups, NOW);

    expect({ compliance: viaApi.compliance, annotation: viaApi.annotation, exemption: viaApi.exemption }).toEqual({
      compliance: viaConfig.compliance,
      annotation: viaConfig.annotation,
      exemption: viaConfig.exemption,
    });
  });

  it('includes both compliant and non-compliant verdicts among the cases', async () => {
    const verdicts = new Set(
      CASES.map(([ruleId, configItem, parameters]) => {
        const rule = RULES.find((candidate) => candidate.id === ruleId)!;
        const resource = live.regions[0]!.resources.find((candidate) => candidate.id === itemResource(configItem).id)!;
        return evaluateResource(rule, parseRuleParameters(rule, parameters), resource, live.regions[0]!.lookups, NOW).compliance;
      }),
    );
    expect([...verdicts].sort()).toEqual(['COMPLIANT', 'NON_COMPLIANT']);
  });

  it('reads exemption tags from the tagging API for buckets, so an exempt bucket is reported exempt', async () => {
    mocks.tagging.on(GetResourcesCommand, { ResourceTypeFilters: ['s3'] }).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: 'arn:aws:s3:::driftwarden-dev-legacy-123456789012',
          Tags: [{ Key: 'driftwarden:exempt', Value: 'legacy bucket, decommissioned in Q3' }],
        },
      ],
    });
    const rule = RULES.find((candidate) => candidate.id === 'encryption-at-rest')!;
    const scan = await collectLiveResources({ rules: [rule], regions: ['eu-west-1'], clientsFor: () => testClients(), lookups: [] });
    const bucket = scan.regions[0]!.resources.find((resource) => resource.id === 'driftwarden-dev-legacy-123456789012')!;

    const evaluation = evaluateResource(rule, parseRuleParameters(rule, { requireCustomerManagedKey: 'true' }), bucket, scan.regions[0]!.lookups, NOW);

    expect(evaluation).toMatchObject({ compliance: 'NON_COMPLIANT', exemption: expect.objectContaining({ reason: 'legacy bucket, decommissioned in Q3' }) });
  });
});

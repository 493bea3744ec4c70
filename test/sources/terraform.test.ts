import { InputFormatError } from '../../lib/errors';
import type { Resource } from '../../lib/model';
import { parseSettings } from '../../lib/settings';
import { scan } from '../../lib/scan';
import { readTerraform } from '../../lib/sources/terraform';
import { RULES } from '../../rules';
import { fixture, NOW } from '../helpers';

const plan = readTerraform(fixture('terraform/plan-web.json'), 'plan-web.json');
const state = readTerraform(fixture('terraform/state-web.json'), 'state-web.json');
const platform = readTerraform(fixture('terraform/plan-platform.json'), 'plan-platform.json');
const community = readTerraform(fixture('terraform/plan-community.json'), 'plan-community.json');
const CUSTOMER_KEYS = parseSettings({ rules: { 'encryption-at-rest': { parameters: { requireCustomerManagedKey: 'true' } } } }, RULES);

function byAddress(source: { resources: Resource[] }, address: string): Resource {
  const resource = source.resources.find((candidate) => candidate.address === address);
  if (!resource) throw new Error(`no resource at ${address}`);
  return resource;
}

function verdicts(source: ReturnType<typeof readTerraform>, settings = parseSettings({}, RULES)): Record<string, string> {
  const report = scan(source, { rules: RULES, settings, now: NOW });
  return Object.fromEntries(report.evaluations.map((evaluation) => [`${evaluation.ruleId} ${evaluation.address}`, `${evaluation.compliance}: ${evaluation.annotation}`]));
}

describe('Source: Terraform', () => {
  it.each([
    ['aws_ebs_volume.scratch[0]', 'AWS::EC2::Volume'],
    ['aws_s3_bucket.tenant["acme"]', 'AWS::S3::Bucket'],
    ['aws_s3_bucket.tenant["globex"]', 'AWS::S3::Bucket'],
    ['module.app.aws_security_group.app', 'AWS::EC2::SecurityGroup'],
    ['module.vpc.aws_vpc.this', 'AWS::EC2::VPC'],
    ['aws_secretsmanager_secret.db', 'AWS::SecretsManager::Secret'],
    ['aws_cloudwatch_log_group.app', 'AWS::Logs::LogGroup'],
    ['aws_efs_file_system.shared', 'AWS::EFS::FileSystem'],
    ['aws_rds_cluster.analytics', 'AWS::RDS::DBCluster'],
    ['aws_db_instance.main', 'AWS::RDS::DBInstance'],
    ['aws_sns_topic.orders', 'AWS::SNS::Topic'],
  ])('reads %s from a plan as %s', (address, type) => {
    expect(byAddress(plan, address).type).toBe(type);
  });

  it('reads resources in modules nested in modules, with count and for_each addresses', () => {
    expect(platform.resources.map((resource) => resource.address)).toEqual(
      expect.arrayContaining(['module.platform.module.network.aws_vpc.this[0]', 'module.platform.aws_ebs_volume.cache["a"]', 'module.platform.aws_security_group.edge']),
    );
  });

  it('leaves out resources the plan destroys and counts them', () => {
    expect(plan.resources.find((resource) => resource.address === 'aws_s3_bucket.legacy_uploads')).toBeUndefined();
    expect(plan.destroyed).toBe(1);
  });

  it('judges a replaced resource as the one the plan creates', () => {
    const topic = byAddress(plan, 'aws_sns_topic.alerts');
    expect(topic.id).toBe('aws_sns_topic.alerts');
    expect(topic.properties).toEqual({ encrypted: false });
  });

  it('counts the types it has no model for and skips them', () => {
    expect(platform.skippedTypes).toEqual({ aws_instance: 1, aws_lb: 1 });
  });

  it('merges separate ingress rules of both kinds into their group', () => {
    const bastion = byAddress(plan, 'aws_security_group.bastion');
    expect(bastion.type === 'AWS::EC2::SecurityGroup' && bastion.properties.ingress).toEqual([
      { protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, description: 'ssh from anywhere' },
      { protocol: '-1', source: { kind: 'cidr', cidr: '203.0.113.0/24' }, description: 'everything from office' },
      { protocol: 'tcp', fromPort: 3000, toPort: 3000, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, description: 'grafana' },
    ]);
  });

  it('takes bucket encryption from the encryption configuration resource, not the bucket attribute', () => {
    expect(byAddress(plan, 'aws_s3_bucket.assets').properties).toEqual({
      encrypted: true,
      algorithm: 'aws:kms',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/0b7c3e1a-5d2f-4a8e-9c61-2f4d8e7a1b90',
    });
    expect(byAddress(plan, 'aws_s3_bucket.logs').properties).toEqual({ encrypted: true, algorithm: 'AES256' });
  });

  it('takes secret rotation from the rotation resource', () => {
    expect(byAddress(plan, 'aws_secretsmanager_secret.db').properties).toEqual({
      rotationEnabled: true,
      rotationLambdaArn: 'arn:aws:lambda:eu-west-1:111122223333:function:web-db-rotator',
      automaticallyAfterDays: 30,
    });
  });

  it('uses tags_all, so provider default tags and exemptions count', () => {
    expect(byAddress(plan, 'aws_db_instance.main').tags).toEqual({ ManagedBy: 'terraform', Name: 'web-main', Project: 'web', Tier: 'data' });
  });

  it.each([
    ['aws_ebs_volume.scratch[1]', ['kmsKeyId']],
    ['module.platform.aws_security_group.edge', ['ingress']],
  ])('lists the values of %s that are unknown until apply', (address, unknown) => {
    expect(byAddress(address.startsWith('module.platform') ? platform : plan, address).unknown).toEqual(unknown);
  });

  it('judges an ingress rule whose group the plan cannot tell on its own, and every group on its own rules', () => {
    const group = { cidr_blocks: ['0.0.0.0/0'], description: '', from_port: 443, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 443 };
    const raw = {
      format_version: '1.2',
      resource_changes: [
        { address: 'aws_security_group.web', mode: 'managed', type: 'aws_security_group', name: 'web', change: { actions: ['no-op'], after: { id: 'sg-1', name: 'web', ingress: [group] }, after_unknown: {} } },
        {
          address: 'aws_vpc_security_group_ingress_rule.shared',
          mode: 'managed',
          type: 'aws_vpc_security_group_ingress_rule',
          name: 'shared',
          change: { actions: ['create'], after: { cidr_ipv4: '0.0.0.0/0', from_port: 8080, to_port: 8080, ip_protocol: 'tcp' }, after_unknown: { id: true, security_group_id: true } },
        },
      ],
      configuration: { root_module: { resources: [{ address: 'aws_vpc_security_group_ingress_rule.shared', expressions: { security_group_id: { references: ['module.shared.security_group_id', 'module.shared'] } } }] } },
    };
    const source = readTerraform(raw, 'plan.json');
    expect(byAddress(source, 'aws_security_group.web').unknown).toBeUndefined();
    expect(byAddress(source, 'aws_vpc_security_group_ingress_rule.shared')).toMatchObject({
      id: 'aws_vpc_security_group_ingress_rule.shared',
      name: 'module.shared.security_group_id',
      properties: { partial: true, ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, source: { kind: 'cidr', cidr: '0.0.0.0/0' } }] },
    });
  });

  it('reads child modules of a state', () => {
    expect(state.resources.map((resource) => resource.address)).toEqual(expect.arrayContaining(['module.vpc.aws_vpc.this', 'module.app.aws_security_group.app']));
    expect(state.destroyed).toBe(0);
  });

  it.each([
    ['vpc-flow-logs aws_vpc.tools', 'COMPLIANT: Flow log aws_flow_log.tools captures ALL traffic of aws_vpc.tools.'],
    ['vpc-flow-logs module.vpc.aws_vpc.this', 'NON_COMPLIANT: vpc-0c4f2a9e7b1d38a56 has no flow log: its network traffic is not recorded.'],
    ['public-app-ports module.app.aws_security_group.app', 'NON_COMPLIANT: Open to the internet: tcp 4000 from 0.0.0.0/0; tcp 4000 from ::/0; tcp 5173 from 0.0.0.0/0'],
    ['secret-rotation aws_secretsmanager_secret.db', 'COMPLIANT: Secret web/db rotates every 30 days.'],
    ['encryption-at-rest aws_ebs_volume.scratch[0]', 'COMPLIANT: EBS volume aws_ebs_volume.scratch[0] is encrypted.'],
  ])('gives plan-web %s the verdict %s', (key, verdict) => {
    expect(verdicts(plan)[key]).toBe(verdict);
  });

  it.each([
    [
      'vpc-flow-logs module.platform.module.network.aws_vpc.this[0]',
      'NON_COMPLIANT: module.platform.module.network.aws_vpc.this[0] has flow logs for REJECT traffic only; ALL is required.',
    ],
    ['vpc-flow-logs aws_vpc.legacy', 'INSUFFICIENT_DATA: Flow logs of vpc-0a2b4c6d8e0f13579 could not be looked up, so ALL traffic capture is unverified.'],
    [
      'encryption-at-rest module.platform.aws_ebs_volume.cache["a"]',
      'INSUFFICIENT_DATA: EBS volume module.platform.aws_ebs_volume.cache["a"]: encryption is not known until apply, so it cannot be confirmed; set it explicitly.',
    ],
    [
      'public-app-ports module.platform.aws_security_group.edge',
      'INSUFFICIENT_DATA: Some ingress rules of platform-edge are not known until apply, so what is open to the internet cannot be confirmed.',
    ],
  ])('gives plan-platform %s the verdict %s', (key, verdict) => {
    expect(verdicts(platform)[key]).toBe(verdict);
  });

  it('does not take an encryption key known only after apply for an AWS managed one', () => {
    const settings = parseSettings({ rules: { 'encryption-at-rest': { parameters: { requireCustomerManagedKey: 'true' } } } }, RULES);
    const report = scan(plan, { rules: RULES, settings, now: NOW });
    expect(report.evaluations.find((evaluation) => evaluation.address === 'aws_ebs_volume.scratch[0]')?.annotation).toBe(
      'EBS volume aws_ebs_volume.scratch[0]: its KMS key is not known until apply, so a customer managed KMS key cannot be confirmed.',
    );
  });

  it('reports an exempt resource as exempt, from its Terraform tags', () => {
    const report = scan(platform, { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    const cluster = report.evaluations.find((evaluation) => evaluation.address === 'module.platform.aws_rds_cluster.events');
    expect(cluster).toMatchObject({ compliance: 'NON_COMPLIANT', exemption: { reason: 'throwaway analytics cluster' } });
    expect(report.summary.exempt).toBe(1);
  });

  it('rejects an unsupported format_version with what to do', () => {
    expect(() => readTerraform(fixture('terraform/plan-unsupported-version.json'), 'old.json')).toThrow(
      new InputFormatError('old.json: Terraform JSON format_version 2.0 is not supported (driftwarden reads 1.x); produce it with a Terraform 1.x `terraform show -json`, or upgrade driftwarden.'),
    );
  });

  it.each([[{ resources: [] }], [[]], ['plan']])('rejects %j as not Terraform JSON', (raw) => {
    expect(() => readTerraform(raw, 'x.json')).toThrow(InputFormatError);
  });

  it('reads an empty state as no resources', () => {
    expect(readTerraform({ format_version: '1.0' }, 'empty.json').resources).toEqual([]);
  });
});

describe('Source: Terraform, as other projects write it (plan-community)', () => {
  it.each([
    // The recommended style: no inline ingress, rules as separate resources (one through a module output).
    ['public-app-ports module.web_sg.aws_security_group.this', 'NON_COMPLIANT: Open to the internet: tcp 8443 from 0.0.0.0/0'],
    // Rules on groups the plan does not manage: judged on their own, at their own address, naming the group.
    ['public-app-ports aws_security_group_rule.legacy_rdp', 'NON_COMPLIANT: Opens sg-0a1b2c3d4e5f60789 to the internet: tcp 3389 from 0.0.0.0/0'],
    ['public-app-ports aws_security_group_rule.legacy_https', 'COMPLIANT: The ingress rules read for sg-0a1b2c3d4e5f60789 open no port outside the allow-lists to 0.0.0.0/0 or ::/0.'],
    ['public-app-ports aws_vpc_security_group_ingress_rule.shared_all', 'NON_COMPLIANT: Opens sg-0d4e5f6a7b8c9d0e1 to the internet: all traffic from 0.0.0.0/0'],
    ['public-app-ports aws_vpc_security_group_ingress_rule.default_ssh', 'NON_COMPLIANT: Opens data.aws_security_group.default.id to the internet: tcp 22 from ::/0'],
    [
      'public-app-ports aws_security_group_rule.default_from_vpc',
      'COMPLIANT: The ingress rules read for data.aws_security_group.default.id open no port outside the allow-lists to 0.0.0.0/0 or ::/0.',
    ],
    ['public-app-ports aws_security_group.dynamic_db', 'NON_COMPLIANT: Open to the internet: tcp 5432 from 0.0.0.0/0'],
    // Keys named in the configuration, unknown in the values.
    ['encryption-at-rest aws_cloudwatch_log_group.app', 'COMPLIANT: Log group /community/app is encrypted with module.kms.aws_kms_key.this.'],
    ['encryption-at-rest aws_sns_topic.events', 'COMPLIANT: SNS topic community-events is encrypted with aws_kms_key.data.'],
    ['encryption-at-rest aws_efs_file_system.plain', 'NON_COMPLIANT: EFS file system aws_efs_file_system.plain is not encrypted.'],
    ['encryption-at-rest aws_rds_cluster.serverless', 'COMPLIANT: RDS cluster community-serverless is encrypted.'],
    ['encryption-at-rest aws_rds_cluster.provisioned', 'NON_COMPLIANT: RDS cluster community-provisioned is not encrypted.'],
  ])('gives %s the verdict %s', (key, verdict) => {
    expect(verdicts(community)[key]).toBe(verdict);
  });

  it('gives every standalone rule resource on a group outside the plan its own evaluation, and merges the others into their group', () => {
    const report = scan(community, { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    const ruleAddresses = report.evaluations.filter((evaluation) => /security_group(_ingress)?_rule\./.test(evaluation.address ?? '')).map((evaluation) => evaluation.address);
    expect(ruleAddresses.sort()).toEqual([
      'aws_security_group_rule.default_from_vpc',
      'aws_security_group_rule.legacy_https',
      'aws_security_group_rule.legacy_rdp',
      'aws_vpc_security_group_ingress_rule.default_ssh',
      'aws_vpc_security_group_ingress_rule.shared_all',
    ]);
    expect(report.evaluations.find((evaluation) => evaluation.address === 'aws_security_group_rule.legacy_rdp')).toMatchObject({ resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-0a1b2c3d4e5f60789' });
    expect(byAddress(community, 'module.web_sg.aws_security_group.this').properties).toMatchObject({
      ingress: expect.arrayContaining([expect.objectContaining({ fromPort: 443 }), expect.objectContaining({ fromPort: 22 }), expect.objectContaining({ fromPort: 8443 })]),
    });
  });

  it.each([
    ['aws_cloudwatch_log_group.app', 'COMPLIANT: Log group /community/app is encrypted with module.kms.aws_kms_key.this.'],
    ['module.db.aws_db_instance.this', 'COMPLIANT: RDS instance community-db is encrypted with module.kms.aws_kms_key.this.'],
    ['aws_s3_bucket.logs', 'COMPLIANT: S3 bucket community-logs-2f7c is encrypted with aws_kms_key.data.'],
    ['aws_ebs_volume.data', 'COMPLIANT: EBS volume aws_ebs_volume.data is encrypted with aws_kms_key.data.'],
    ['aws_cloudwatch_log_group.shared_key', 'COMPLIANT: Log group /community/shared is encrypted with data.aws_kms_key.shared.'],
    ['aws_sns_topic.aws_managed', 'NON_COMPLIANT: SNS topic community-aws-managed is encrypted with the AWS managed key alias/aws/sns; a customer managed KMS key is required.'],
    [
      'aws_sns_topic.aws_managed_by_data',
      'NON_COMPLIANT: SNS topic community-aws-managed-data is encrypted with the AWS managed key data.aws_kms_alias.sns; a customer managed KMS key is required.',
    ],
    ['aws_rds_cluster.serverless', 'NON_COMPLIANT: RDS cluster community-serverless is encrypted with the AWS managed key; a customer managed KMS key is required.'],
  ])('with requireCustomerManagedKey, tells who manages the key of %s from the configuration', (address, verdict) => {
    expect(verdicts(community, CUSTOMER_KEYS)[`encryption-at-rest ${address}`]).toBe(verdict);
  });

  it('keeps a key it cannot place unknown: its owner needs DescribeKey', () => {
    const raw = fixture<any>('terraform/plan-community.json');
    const topic = raw.configuration.root_module.resources.find((resource: { address: string }) => resource.address === 'aws_sns_topic.events');
    topic.expressions.kms_master_key_id = { references: ['local.key_arn'] };
    expect(verdicts(readTerraform(raw, 'plan.json'), CUSTOMER_KEYS)['encryption-at-rest aws_sns_topic.events']).toBe(
      'INSUFFICIENT_DATA: SNS topic community-events is encrypted with local.key_arn, but whether that key is customer managed could not be looked up.',
    );
  });

  it('reads a group without configuration (a plan stripped of it) as unknown, never as having no rules', () => {
    const raw = fixture<any>('terraform/plan-community.json');
    delete raw.configuration;
    expect(byAddress(readTerraform(raw, 'plan.json'), 'module.web_sg.aws_security_group.this').unknown).toEqual(['ingress']);
  });
});

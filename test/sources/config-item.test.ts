import { InputFormatError, InvalidEventError } from '../../lib/errors';
import { flowLogFromItem, isGone, readConfigurationItem, resourceFromItem } from '../../lib/sources/config-item';
import { fixture } from '../helpers';

const eventItem = (name: string) => fixture(`config/${name}.json`);
const apiItem = () => fixture('config/api-get-resource-config-history-bucket.json').configurationItems[0];

/** The same API item as the SDK v3 client hands it over: times as Date objects. */
function sdkItem() {
  const raw = apiItem();
  return {
    ...raw,
    configurationItemCaptureTime: new Date(raw.configurationItemCaptureTime * 1000),
    resourceCreationTime: new Date(raw.resourceCreationTime * 1000),
    configurationItemDeliveryTime: new Date(raw.configurationItemDeliveryTime * 1000),
  };
}

function resourceOf(raw: unknown) {
  return resourceFromItem(readConfigurationItem(raw));
}

function withConfiguration(name: string, change: (configuration: any) => void) {
  const raw = eventItem(name);
  change(raw.configuration);
  return raw;
}

describe('Source: AWS Config configuration item', () => {
  describe('item shapes', () => {
    it('reads the invoking-event form', () => {
      const item = readConfigurationItem(eventItem('s3-bucket-sse-kms'));
      expect(item).toMatchObject({
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'driftwarden-dev-reports-123456789012',
        resourceName: 'driftwarden-dev-reports-123456789012',
        arn: 'arn:aws:s3:::driftwarden-dev-reports-123456789012',
        accountId: '123456789012',
        region: 'eu-west-1',
        status: 'OK',
        captureTime: '2025-06-09T18:01:40.559Z',
        tags: { Environment: 'dev' },
      });
    });

    it.each([
      ['the wire form of GetResourceConfigHistory (JSON strings, epoch seconds)', apiItem],
      ['the SDK v3 form (JSON strings, Date objects)', sdkItem],
    ])('reads %s into the same resource as the invoking-event form', (_case, raw) => {
      const fromApi = resourceOf(raw());
      const fromEvent = resourceOf(eventItem('s3-bucket-sse-kms'));
      expect(fromApi).toEqual(fromEvent);
      expect(fromApi).toMatchObject({
        accountId: '123456789012',
        arn: 'arn:aws:s3:::driftwarden-dev-reports-123456789012',
        capturedAt: '2025-06-09T18:01:40.559Z',
        properties: { encrypted: true, algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' },
      });
    });

    it('parses every supplementary value of the API form', () => {
      const item = readConfigurationItem(apiItem());
      expect(item.supplementary.PublicAccessBlockConfiguration).toEqual({
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      });
      expect(item.supplementary.IsRequesterPaysEnabled).toBe(false);
    });

    it.each([
      ['ISO 8601 string', '2025-06-10T07:30:12.511Z'],
      ['ISO 8601 with an offset', '2025-06-10T09:30:12.511+02:00'],
      ['epoch seconds', 1749540612.511],
      ['epoch milliseconds', 1749540612511],
      ['epoch seconds as a string', '1749540612.511'],
      ['Date object', new Date('2025-06-10T07:30:12.511Z')],
    ])('reads a capture time given as %s', (_case, time) => {
      expect(readConfigurationItem({ ...eventItem('vpc'), configurationItemCaptureTime: time }).captureTime).toBe('2025-06-10T07:30:12.511Z');
    });

    it.each([
      ['words', 'yesterday'],
      ['a number beyond any date', 1e308],
      ['a negative epoch', -1],
    ])('refuses a capture time given as %s, naming the field, instead of inventing one', (_case, time) => {
      expect(() => readConfigurationItem({ ...eventItem('vpc'), configurationItemCaptureTime: time })).toThrow(InvalidEventError);
      expect(() => readConfigurationItem({ ...eventItem('vpc'), configurationItemCaptureTime: time })).toThrow(/configurationItemCaptureTime is not a time/);
    });

    it('leaves an absent capture time out instead of inventing one', () => {
      expect(readConfigurationItem({ ...eventItem('vpc'), configurationItemCaptureTime: undefined }).captureTime).toBeUndefined();
    });

    it.each([
      ['a map', { Name: 'web', Team: 'platform' }],
      ['a list of {Key, Value}', [{ Key: 'Name', Value: 'web' }, { Key: 'Team', Value: 'platform' }]],
      ['a list of {key, value}', [{ key: 'Name', value: 'web' }, { key: 'Team', value: 'platform' }]],
    ])('reads tags given as %s', (_case, tags) => {
      expect(readConfigurationItem({ ...eventItem('vpc'), tags }).tags).toEqual({ Name: 'web', Team: 'platform' });
    });

    it('reads an empty tag value as an empty string', () => {
      expect(readConfigurationItem({ ...eventItem('vpc'), tags: { 'driftwarden:exempt': '' } }).tags).toEqual({ 'driftwarden:exempt': '' });
    });
  });

  describe('status', () => {
    it.each(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded'])('has no resource for a %s item', (status) => {
      const raw = status === 'ResourceDeleted' ? eventItem('sg-deleted') : { ...eventItem('sg-compliant'), configurationItemStatus: status };
      const item = readConfigurationItem(raw);
      expect(isGone(item)).toBe(true);
      expect(resourceFromItem(item)).toBeUndefined();
    });

    it.each(['OK', 'ResourceDiscovered'])('has a resource for a %s item', (status) => {
      expect(resourceOf({ ...eventItem('sg-compliant'), configurationItemStatus: status })).toBeDefined();
    });

    it('reads a deleted item of the API form, whose configuration is the string "null"', () => {
      const deleted = { ...apiItem(), configurationItemStatus: 'ResourceDeleted', configuration: 'null', supplementaryConfiguration: {} };
      expect(resourceOf(deleted)).toBeUndefined();
    });

    it.each(['AWS::EC2::Instance', 'AWS::Lambda::Function', 'AWS::EC2::FlowLog'])('has no resource for the unmodelled type %s', (type) => {
      expect(resourceOf({ ...eventItem('vpc'), resourceType: type })).toBeUndefined();
    });
  });

  describe('malformed input', () => {
    it.each([
      ['a string', 'configurationItem'],
      ['an array', [eventItem('vpc')]],
      ['null', null],
    ])('rejects %s', (_case, raw) => {
      expect(() => readConfigurationItem(raw)).toThrow(InputFormatError);
      expect(() => readConfigurationItem(raw)).toThrow('A configuration item must be a JSON object');
    });

    it.each([
      ['resourceType', { ...eventItem('vpc'), resourceType: undefined }],
      ['resourceId', { ...eventItem('vpc'), resourceId: '' }],
    ])('rejects an item without %s', (_case, raw) => {
      expect(() => readConfigurationItem(raw)).toThrow(new InputFormatError('A configuration item needs resourceType and resourceId'));
    });

    it.each([
      ['a string that is not JSON', '{"cidrBlock": "10.0.0.0/16"'],
      ['a JSON array', '[]'],
      ['a number', 42],
    ])('rejects a configuration that is %s instead of calling the resource gone', (_case, configuration) => {
      expect(() => readConfigurationItem({ ...eventItem('vpc'), configuration })).toThrow(
        new InputFormatError('Configuration item AWS::EC2::VPC vpc-0a1b2c3d4e5f60718: configuration is not a JSON object'),
      );
    });
  });

  describe('AWS::EC2::SecurityGroup', () => {
    it('flattens each permission into one rule per source, keeping descriptions', () => {
      const group = resourceOf(eventItem('sg-public-app'));
      expect(group).toMatchObject({ type: 'AWS::EC2::SecurityGroup', name: 'driftwarden-dev-app' });
      expect(group?.type === 'AWS::EC2::SecurityGroup' && group.properties.ingress).toEqual([
        { protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'cidr', cidr: '0.0.0.0/0' }, description: 'vite dev server (temporary)' },
        { protocol: 'tcp', fromPort: 4000, toPort: 4000, source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '::/0' } },
        { protocol: 'tcp', fromPort: 443, toPort: 443, source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
        { protocol: 'tcp', fromPort: 443, toPort: 443, source: { kind: 'cidr', cidr: '::/0' } },
        { protocol: 'tcp', fromPort: 5432, toPort: 5432, source: { kind: 'cidr', cidr: '10.0.0.0/16' }, description: 'postgres from VPC' },
        { protocol: 'tcp', fromPort: 8080, toPort: 8080, source: { kind: 'securityGroup', groupId: 'sg-0c0ffee0d15ea5e01' }, description: 'from ALB' },
        { protocol: 'tcp', fromPort: 9100, toPort: 9100, source: { kind: 'prefixList', prefixListId: 'pl-0b7e4f5a6c3d2e1f0' }, description: 'monitoring hosts' },
      ]);
    });

    it.each([
      ['only ipRanges (older items)', { ipRanges: ['0.0.0.0/0', '10.1.0.0/16'] }],
      ['only ipv4Ranges', { ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }, { cidrIp: '10.1.0.0/16' }] }],
      ['both lists, each CIDR once', { ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }, { cidrIp: '10.1.0.0/16' }], ipRanges: ['0.0.0.0/0', '10.1.0.0/16'] }],
    ])('reads IPv4 sources from %s', (_case, ranges) => {
      const raw = withConfiguration('sg-compliant', (configuration) => {
        configuration.ipPermissions = [{ ipProtocol: 'udp', fromPort: 53, toPort: 53, ipv6Ranges: [], prefixListIds: [], userIdGroupPairs: [], ...ranges }];
      });
      const group = resourceOf(raw);
      expect(group?.type === 'AWS::EC2::SecurityGroup' && group.properties.ingress.map((rule) => rule.source)).toEqual([
        { kind: 'cidr', cidr: '0.0.0.0/0' },
        { kind: 'cidr', cidr: '10.1.0.0/16' },
      ]);
    });

    it.each([
      ['without ports', { ipProtocol: '-1' }],
      ['with null ports (older items)', { ipProtocol: '-1', fromPort: null, toPort: null }],
    ])('reads an all-traffic permission %s as portless', (_case, permission) => {
      const raw = withConfiguration('sg-compliant', (configuration) => {
        configuration.ipPermissions = [{ ...permission, ipv6Ranges: [{ cidrIpv6: '::/0' }], ipv4Ranges: [], ipRanges: [], prefixListIds: [], userIdGroupPairs: [] }];
      });
      const group = resourceOf(raw);
      expect(group?.type === 'AWS::EC2::SecurityGroup' && group.properties.ingress).toEqual([{ protocol: '-1', source: { kind: 'cidr', cidr: '::/0' } }]);
    });

    it('reads a group without ingress permissions as having none', () => {
      const raw = withConfiguration('sg-compliant', (configuration) => delete configuration.ipPermissions);
      expect(resourceOf(raw)).toMatchObject({ properties: { ingress: [] } });
    });
  });

  describe('storage types', () => {
    it.each([
      ['ebs-volume-encrypted', { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }],
      ['ebs-volume-unencrypted', { encrypted: false }],
      ['rds-instance-unencrypted', { encrypted: false }],
      ['rds-cluster-encrypted', { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' }],
      ['s3-bucket-sse-s3', { encrypted: true, algorithm: 'AES256' }],
      ['s3-bucket-sse-kms', { encrypted: true, algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' }],
      ['s3-bucket-no-encryption-config', { encrypted: false }],
      ['sns-topic-kms', { encrypted: true, kmsKeyId: 'alias/aws/sns' }],
      ['sns-topic-no-kms', { encrypted: false }],
      ['efs-encrypted', { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f' }],
      ['efs-unencrypted', { encrypted: false }],
    ])('reads the encryption of %s', (name, encryption) => {
      const resource = resourceOf(eventItem(name));
      expect(resource?.properties).toEqual(expect.objectContaining(encryption));
      expect(Object.entries(resource?.properties ?? {}).filter(([, value]) => value !== undefined)).toEqual(Object.entries(encryption));
    });

    it('names RDS resources by their identifier, not their resource id', () => {
      expect(resourceOf(eventItem('rds-instance-unencrypted'))).toMatchObject({ id: 'db-7HX3KQ2ZP4N6WLM5R8TBVYC2DA', name: 'driftwarden-dev-pg' });
      expect(resourceOf(eventItem('rds-cluster-encrypted'))).toMatchObject({ id: 'cluster-5QJ7WZ2MKX4RFT8NB3YH6PLVCE', name: 'driftwarden-dev-aurora' });
    });

    it('does not take camelCase EFS fields for the PascalCase ones AWS Config records', () => {
      const raw = withConfiguration('efs-unencrypted', (configuration) => {
        configuration.encrypted = true;
        configuration.kmsKeyId = 'arn:aws:kms:eu-west-1:123456789012:key/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
      });
      expect(resourceOf(raw)?.properties).toMatchObject({ encrypted: false });
    });

    it('reads an S3 encryption configuration delivered as a JSON string', () => {
      const raw = eventItem('s3-bucket-sse-s3');
      raw.supplementaryConfiguration.ServerSideEncryptionConfiguration = JSON.stringify(raw.supplementaryConfiguration.ServerSideEncryptionConfiguration);
      expect(resourceOf(raw)?.properties).toMatchObject({ encrypted: true, algorithm: 'AES256' });
    });
  });

  describe('AWS::SecretsManager::Secret', () => {
    it('reads rotation settings and leaves the dates the item does not carry to a lookup', () => {
      expect(resourceOf(eventItem('secret-rotating'))?.properties).toEqual({
        rotationEnabled: true,
        rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:SecretsManagerRDSPostgreSQLRotationSingleUser',
        automaticallyAfterDays: 7,
        scheduleExpression: undefined,
        lastRotatedDate: undefined,
        createdDate: undefined,
        owningService: 'rds',
        rotationOccurringAsScheduled: true,
        pendingDeletion: false,
      });
    });

    it('reads a secret that never had rotation set up as not rotating', () => {
      expect(resourceOf(eventItem('secret-never-rotated'))?.properties).toMatchObject({ rotationEnabled: false, owningService: undefined, pendingDeletion: false });
    });

    it('reads a cron schedule from RotationScheduleExpression', () => {
      expect(resourceOf(eventItem('secret-rotation-schedule'))?.properties).toMatchObject({ scheduleExpression: 'cron(0 2 ? * SUN#1 *)', automaticallyAfterDays: undefined });
    });

    it('reads an hourly rotation recorded as AutomaticallyAfterHours as its rate() schedule', () => {
      const raw = withConfiguration('secret-rotation-schedule', (configuration) => (configuration.RotationRules = { AutomaticallyAfterHours: 4, RotationDuration: '1h' }));
      expect(resourceOf(raw)?.properties).toMatchObject({ scheduleExpression: 'rate(4 hours)' });
    });

    it('recognises an RDS-managed secret by its rds! name when the owning-service tag is missing', () => {
      const raw = { ...eventItem('secret-rotating'), tags: {} };
      expect(resourceOf(raw)?.properties).toMatchObject({ owningService: 'rds' });
    });

    it('reads a secret marked deleted as pending deletion', () => {
      const raw = withConfiguration('secret-never-rotated', (configuration) => (configuration.Deleted = true));
      expect(resourceOf(raw)?.properties).toMatchObject({ pendingDeletion: true });
    });
  });

  describe('AWS::EC2::VPC and flow logs', () => {
    it('reads a VPC', () => {
      expect(resourceOf(eventItem('vpc'))).toMatchObject({
        type: 'AWS::EC2::VPC',
        id: 'vpc-0a1b2c3d4e5f60718',
        tags: { Name: 'driftwarden-dev' },
        properties: { cidrBlock: '10.0.0.0/16', isDefault: false },
      });
    });

    it('reads a recorded flow log item as the flow log the VPC rule looks up', () => {
      expect(flowLogFromItem(readConfigurationItem(eventItem('flow-log')))).toEqual({
        flowLogId: 'fl-0a1b2c3d4e5f67890',
        resourceId: 'vpc-0a1b2c3d4e5f60718',
        trafficType: 'ALL',
        status: 'ACTIVE',
        deliverLogsStatus: 'SUCCESS',
        deliverLogsErrorMessage: undefined,
        destinationType: 'cloud-watch-logs',
        destination: 'arn:aws:logs:eu-west-1:123456789012:log-group:/driftwarden/dev/vpc-flow-logs',
      });
    });

    it('has no flow log for an item of another type', () => {
      expect(flowLogFromItem(readConfigurationItem(eventItem('vpc')))).toBeUndefined();
    });
  });
});

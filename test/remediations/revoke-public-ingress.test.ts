import 'aws-sdk-client-mock-jest';
import { AuthorizeSecurityGroupIngressCommand, EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { IngressRule, ResourceOf } from '../../lib/model';
import type { AnyRemediation } from '../../lib/remediation/plan';
import revokePublicIngress from '../../remediations/revoke-public-ingress';
import { itemResource } from '../helpers';
import { applyOptions, awsError, clients, liveAppGroup, planInput } from './support';

/** Fed what the registry feeds it: any resource, parameters and matches. */
const remediation: AnyRemediation = revokePublicIngress;

const ec2 = mockClient(EC2Client);
beforeEach(() => ec2.reset());

const GROUP = 'sg-0f1e2d3c4b5a69788';
const world = { kind: 'cidr' as const, cidr: '0.0.0.0/0' };

function group(ingress: IngressRule[]): ResourceOf<'AWS::EC2::SecurityGroup'> {
  return { type: 'AWS::EC2::SecurityGroup', id: GROUP, region: 'eu-west-1', tags: {}, properties: { ingress } };
}

describe('Remediation: revoke-public-ingress', () => {
  describe('plan', () => {
    it('revokes only the flagged public rules of the recorded group, by permission, and keeps the rest', () => {
      const plan = remediation.plan(planInput('public-app-ports', itemResource('sg-public-app')));
      expect(plan.steps.map((step) => step.call)).toEqual([
        {
          service: 'ec2',
          operation: 'RevokeSecurityGroupIngress',
          input: { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5173, ToPort: 5173, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'vite dev server (temporary)' }] }] },
        },
        { service: 'ec2', operation: 'RevokeSecurityGroupIngress', input: { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 4000, ToPort: 4000, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
        { service: 'ec2', operation: 'RevokeSecurityGroupIngress', input: { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] } },
      ]);
      expect(plan.keeps).toEqual([
        'tcp 443 from 0.0.0.0/0',
        'tcp 443 from ::/0',
        'tcp 5432 from 10.0.0.0/16',
        'tcp 8080 from sg-0c0ffee0d15ea5e01',
        'tcp 9100 from pl-0b7e4f5a6c3d2e1f0',
      ]);
      expect(plan.summary).toBe('Revoke tcp 5173 from 0.0.0.0/0, tcp 4000 from 0.0.0.0/0, tcp 22 from ::/0 on sg-0f1e2d3c4b5a69788 (driftwarden-dev-app).');
    });

    it('revokes by security group rule id when the live read has them, and undo re-creates each rule with its description', () => {
      const plan = remediation.plan(planInput('public-app-ports', liveAppGroup()));
      expect(plan.steps.map((step) => step.call.input)).toEqual([
        { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e551'] },
        { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e552'] },
        { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e553'] },
      ]);
      expect(plan.steps[0]!.undo).toEqual([
        {
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          input: { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5173, ToPort: 5173, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'vite dev server (temporary)' }] }] },
        },
      ]);
      expect(plan.keeps).toContain('tcp 443 from 0.0.0.0/0 (sgr-0a11b22c33d44e554)');
      expect(plan.keeps).toContain('tcp 5432 from 10.0.0.0/16 (sgr-0a11b22c33d44e556)');
      expect(plan.beforeState).toEqual({ groupId: GROUP, ingress: liveAppGroup().properties.ingress });
    });

    it.each([
      ['an allowed port open to the world', { protocol: 'tcp', fromPort: 443, toPort: 443, source: world }],
      ['the same port from a private range', { protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'cidr', cidr: '10.0.0.0/8' } }],
      ['the same port from another security group', { protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'securityGroup', groupId: 'sg-0c0ffee0d15ea5e01' } }],
      ['the same port from a prefix list', { protocol: 'tcp', fromPort: 5173, toPort: 5173, source: { kind: 'prefixList', prefixListId: 'pl-0b7e4f5a6c3d2e1f0' } }],
    ])('plans nothing for %s', (_case, rule) => {
      const plan = remediation.plan(planInput('public-app-ports', group([rule as IngressRule])));
      expect(plan.steps).toEqual([]);
      expect(plan.summary).toBe(`Nothing to revoke on ${GROUP}: no public ingress outside the allow-lists.`);
    });

    it('re-adds the allowed ports a wide rule covered before revoking it, so 80 and 443 never close', () => {
      const wide: IngressRule = { protocol: 'tcp', fromPort: 0, toPort: 65535, source: world, ruleId: 'sgr-0wide', description: 'everything' };
      const plan = remediation.plan(planInput('public-app-ports', group([wide])));
      expect(plan.steps.map((step) => [step.call.operation, step.call.input])).toEqual([
        ['AuthorizeSecurityGroupIngress', { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everything' }] }] }],
        ['AuthorizeSecurityGroupIngress', { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everything' }] }] }],
        ['RevokeSecurityGroupIngress', { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0wide'] }],
      ]);
      expect(plan.steps[0]!.undo[0]).toEqual({
        service: 'ec2',
        operation: 'RevokeSecurityGroupIngress',
        input: { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everything' }] }] },
      });
    });

    it('keeps allowed tcp and udp ports when all traffic is open, and revokes the all-traffic rule without ports', () => {
      const all: IngressRule = { protocol: '-1', source: { kind: 'cidr', cidr: '::/0' } };
      const plan = remediation.plan(planInput('public-app-ports', group([all]), { parameters: { authorizedTcpPorts: '443', authorizedUdpPorts: '53' } }));
      expect(plan.steps.map((step) => [step.call.operation, step.call.input])).toEqual([
        ['AuthorizeSecurityGroupIngress', { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
        ['AuthorizeSecurityGroupIngress', { GroupId: GROUP, IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
        ['RevokeSecurityGroupIngress', { GroupId: GROUP, IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }],
      ]);
    });
  });

  describe('apply', () => {
    const plan = () => remediation.plan(planInput('public-app-ports', liveAppGroup()));

    it('makes exactly the planned calls and returns the undo, latest change first', async () => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 3);
      expect(ec2).toHaveReceivedNthSpecificCommandWith(1, RevokeSecurityGroupIngressCommand, { GroupId: GROUP, SecurityGroupRuleIds: ['sgr-0a11b22c33d44e551'] });
      expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
      expect(result.outcome).toBe('applied');
      expect(result.message).toBe('3 changes made.');
      expect(result.undo.map((call) => (call.input as { IpPermissions: { FromPort: number }[] }).IpPermissions[0]!.FromPort)).toEqual([22, 4000, 5173]);
    });

    it.each([
      ['InvalidPermission.NotFound', awsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.')],
      ['InvalidSecurityGroupRuleId.NotFound', awsError('InvalidSecurityGroupRuleId.NotFound', "The security group rule ID 'sgr-0a11b22c33d44e551' does not exist")],
    ])('counts %s as already fixed, with nothing to undo', async (_code, error) => {
      ec2.on(RevokeSecurityGroupIngressCommand).rejects(error);
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('already-fixed');
      expect(result.steps.every((step) => step.status === 'already-done')).toBe(true);
      expect(result.undo).toEqual([]);
    });

    it('counts a rule a default VPC reports as unknown as already revoked', async () => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, UnknownIpPermissions: [{ IpProtocol: 'tcp', FromPort: 5173, ToPort: 5173 }] });
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('already-fixed');
    });

    it('reports what was done before a refusal, and leaves the rest alone', async () => {
      ec2
        .on(RevokeSecurityGroupIngressCommand)
        .resolvesOnce({ Return: true })
        .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result.outcome).toBe('failed');
      expect(result.retryable).toBe(false);
      expect(result.steps.map((step) => step.status)).toEqual(['done', 'failed', 'not-run']);
      expect(result.message).toBe('RevokeSecurityGroupIngress failed: UnauthorizedOperation: You are not authorized to perform this operation. (1 of 3 steps done before it)');
      expect(result.undo).toHaveLength(1);
      expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 2);
    });

    it.each([
      ['RequestLimitExceeded', awsError('RequestLimitExceeded', 'Request limit exceeded.', 'client', 503)],
      ['an internal error', awsError('InternalError', 'An internal error has occurred', 'server', 500)],
    ])('marks %s as worth another delivery', async (_case, error) => {
      ec2.on(RevokeSecurityGroupIngressCommand).rejects(error);
      const result = await remediation.apply(plan(), clients(), applyOptions());
      expect(result).toMatchObject({ outcome: 'failed', retryable: true });
    });

    it('treats re-adding a rule that already exists as done', async () => {
      const wide: IngressRule = { protocol: 'tcp', fromPort: 0, toPort: 65535, source: world, ruleId: 'sgr-0wide' };
      ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Duplicate', 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists'));
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      const result = await remediation.apply(remediation.plan(planInput('public-app-ports', group([wide]))), clients(), applyOptions());
      expect(result.steps.map((step) => step.status)).toEqual(['already-done', 'already-done', 'done']);
      // Undo must not revoke the 80/443 rules that existed before: only the wide rule comes back.
      expect(result.undo.map((call) => call.operation)).toEqual(['AuthorizeSecurityGroupIngress']);
    });
  });
});

import type { IngressRule, ResourceOf } from '../../lib/model';
import { parseRuleParameters, type AnyRule } from '../../lib/rule';
import publicAppPorts from '../../rules/public-app-ports';
import { itemResource, lookups, NOW } from '../helpers';

/** Run as the registry runs it: on any resource, with parameters parsed from settings. */
const rule: AnyRule = publicAppPorts;

function group(ingress: IngressRule[]): ResourceOf<'AWS::EC2::SecurityGroup'> {
  return { type: 'AWS::EC2::SecurityGroup', id: 'sg-1', tags: {}, properties: { ingress } };
}
const world = (cidr = '0.0.0.0/0') => ({ kind: 'cidr' as const, cidr });

function run(resource: ReturnType<typeof group> | ReturnType<typeof itemResource>, parameters: unknown = {}) {
  return rule.evaluate(resource, parseRuleParameters(rule, parameters), { ...lookups(), now: NOW });
}

describe('Rule: public-app-ports', () => {
  it('flags each public port outside the allow-list in the real configuration item, and only those', () => {
    const result = run(itemResource('sg-public-app'), '{"authorizedTcpPorts":"80,443"}');
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toBe('Open to the internet: tcp 5173 from 0.0.0.0/0; tcp 4000 from 0.0.0.0/0; tcp 22 from ::/0');
    expect(result.matches).toEqual([
      expect.objectContaining({ protocol: 'tcp', fromPort: 5173, toPort: 5173, source: world() }),
      expect.objectContaining({ protocol: 'tcp', fromPort: 4000, toPort: 4000, source: world() }),
      expect.objectContaining({ protocol: 'tcp', fromPort: 22, toPort: 22, source: world('::/0') }),
    ]);
  });

  it('passes a group that exposes only 443 and private sources', () => {
    expect(run(itemResource('sg-compliant')).compliance).toBe('COMPLIANT');
  });

  it.each([
    ['all traffic (-1)', { protocol: '-1', source: world() }, 'all traffic from 0.0.0.0/0'],
    ['all tcp ports', { protocol: 'tcp', fromPort: 0, toPort: 65535, source: world() }, 'tcp 0-65535 from 0.0.0.0/0'],
    ['a range partly outside the list', { protocol: 'tcp', fromPort: 3000, toPort: 5999, source: world() }, 'tcp 3000-5999 from 0.0.0.0/0'],
    ['udp with an empty allow-list', { protocol: 'udp', fromPort: 53, toPort: 53, source: world('::/0') }, 'udp 53 from ::/0'],
    ['a protocol number without ports', { protocol: '47', source: world() }, 'protocol 47 from 0.0.0.0/0'],
    ['tcp given by number', { protocol: '6', fromPort: 8080, toPort: 8080, source: world() }, 'tcp 8080 from 0.0.0.0/0'],
  ])('flags %s', (_case, ingress, annotation) => {
    const result = run(group([ingress as IngressRule]));
    expect(result).toEqual({ compliance: 'NON_COMPLIANT', annotation: `Open to the internet: ${annotation}`, matches: [ingress] });
  });

  it.each([
    ['an allowed port', { protocol: 'tcp', fromPort: 443, toPort: 443, source: world() }],
    ['a range inside the allowed ranges', { protocol: 'tcp', fromPort: 1020, toPort: 1025, source: world() }],
    ['icmp from the internet', { protocol: 'icmp', fromPort: 3, toPort: 4, source: world() }],
    ['icmpv6 from the internet', { protocol: 'icmpv6', fromPort: -1, toPort: -1, source: world('::/0') }],
    ['a private CIDR on any port', { protocol: '-1', source: world('10.0.0.0/8') }],
    ['another security group', { protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'securityGroup', groupId: 'sg-2' } }],
    ['a prefix list', { protocol: 'tcp', fromPort: 22, toPort: 22, source: { kind: 'prefixList', prefixListId: 'pl-1' } }],
  ])('accepts %s', (_case, ingress) => {
    expect(run(group([ingress as IngressRule]), { authorizedTcpPorts: '80,443,1020-1022,1023-1025' }).compliance).toBe('COMPLIANT');
  });

  it('honours authorizedUdpPorts', () => {
    const dns = { protocol: 'udp', fromPort: 53, toPort: 53, source: world() };
    expect(run(group([dns]), { authorizedUdpPorts: '53' }).compliance).toBe('COMPLIANT');
  });

  it('keeps the annotation within 256 characters and says how many were left out', () => {
    const many = Array.from({ length: 40 }, (_, index) => ({ protocol: 'tcp', fromPort: 10000 + index, toPort: 10000 + index, source: world() }));
    const result = run(group(many));
    expect(result.annotation.length).toBeLessThanOrEqual(256);
    expect(result.annotation).toMatch(/\(\+\d+ more\)$/);
    expect(result.matches).toHaveLength(40);
  });

  it.each([
    [{ authorizedTcpPorts: '80,abc' }, /parameter "authorizedTcpPorts": "abc" is not a port/],
    [{ authorizedTcpPorts: '443-80' }, /"443-80" is not a port or port range/],
    [{ authorizedTcpPorts: '70000' }, /"70000"/],
    [{ authorisedTcpPorts: '80' }, /unknown parameter "authorisedTcpPorts"/],
    ['{not json', /ruleParameters is not valid JSON/],
  ])('rejects bad parameters %j with an error naming the parameter', (parameters, message) => {
    expect(() => parseRuleParameters(rule, parameters)).toThrow(message);
  });
});

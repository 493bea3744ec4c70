import { z } from 'zod';
import type { IngressRule } from '../lib/model';
import { portList, type PortRange } from '../lib/parameters';
import { annotationList, defineRule } from '../lib/rule';
import { canonicalProtocol, describeIngress, isCovered, portRangeOf } from '../lib/security-group-ingress';

/**
 * ICMP and ICMPv6 from the internet are not findings: they carry no ports to allow-list, and path MTU
 * discovery needs them. Every other protocol (tcp and udp outside the allow-lists, all traffic,
 * protocol numbers such as GRE or ESP) open to 0.0.0.0/0 or ::/0 is.
 */
const PORTLESS_ALLOWED_PROTOCOLS = new Set(['icmp', 'icmpv6', '1', '58']);
const INTERNET_CIDRS = new Set(['0.0.0.0/0', '::/0']);

/** An ingress rule open to the internet outside the allow-lists. */
export type PublicIngressMatch = IngressRule;

const publicAppPorts = defineRule({
  id: 'public-app-ports',
  title: 'Security groups expose only allowed ports to the internet',
  severity: 'high',
  resourceTypes: ['AWS::EC2::SecurityGroup'],
  triggers: ['change'],
  parameters: z.object({
    authorizedTcpPorts: portList.default('80,443'),
    authorizedUdpPorts: portList.default(''),
  }),
  references: { configManagedRule: 'vpc-sg-open-only-to-authorized-ports', securityHub: ['EC2.18', 'EC2.19'] },
  remediation: 'revoke-public-ingress',
  lookups: [],
  terraformAttributes: ['ingress', 'cidr_blocks', 'ipv6_cidr_blocks', 'cidr_ipv4', 'cidr_ipv6', 'from_port', 'to_port'],
  evaluate(group, params) {
    const allowed: Record<string, readonly PortRange[]> = { tcp: params.authorizedTcpPorts, udp: params.authorizedUdpPorts };
    const matches = group.properties.ingress.filter((rule) => {
      if (rule.source.kind !== 'cidr' || !INTERNET_CIDRS.has(rule.source.cidr)) return false;
      const protocol = canonicalProtocol(rule.protocol);
      if (PORTLESS_ALLOWED_PROTOCOLS.has(protocol)) return false;
      const allowedPorts = allowed[protocol];
      return allowedPorts === undefined || !isCovered(portRangeOf(rule), allowedPorts);
    });
    // Rules declared apart from a group the source does not hold: the verdict is on them, naming the group.
    const subject = group.properties.partial ? `The ingress rules read for ${group.name ?? group.id}` : undefined;
    if (matches.length === 0 && group.unknown?.includes('ingress')) {
      return {
        compliance: 'INSUFFICIENT_DATA',
        annotation: `${subject ?? `Some ingress rules of ${group.name ?? group.id}`} are not known until apply, so what is open to the internet cannot be confirmed.`,
      };
    }
    if (matches.length === 0) {
      return {
        compliance: 'COMPLIANT',
        annotation: subject ? `${subject} open no port outside the allow-lists to 0.0.0.0/0 or ::/0.` : 'No port outside the allow-lists is open to 0.0.0.0/0 or ::/0.',
      };
    }
    return {
      compliance: 'NON_COMPLIANT',
      annotation: annotationList(subject ? `Opens ${group.name ?? group.id} to the internet: ` : 'Open to the internet: ', matches.map(describeIngress)),
      matches,
    };
  },
});

export default publicAppPorts;

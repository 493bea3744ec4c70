import type { IngressRule } from './model';
import type { PortRange } from './parameters';

/**
 * The vocabulary of security-group ingress shared by the rule that flags public ports and the
 * remediation that revokes them, so both name a protocol, a port range and a rule the same way.
 */

export const ALL_PORTS: Readonly<PortRange> = { from: 0, to: 65535 };

/** `tcp`, `udp`, `-1` (all traffic) or the lower-case name or number EC2 stores (`6` and `17` are tcp and udp). */
export function canonicalProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  if (lower === '6') return 'tcp';
  if (lower === '17') return 'udp';
  if (lower === 'all') return '-1';
  return lower;
}

/** Only tcp and udp rules carry ports; every other protocol opens all of itself. */
export function hasPorts(rule: IngressRule): boolean {
  const protocol = canonicalProtocol(rule.protocol);
  return protocol === 'tcp' || protocol === 'udp';
}

/** The ports a rule names; undefined when it names none (-1/-1 and absent ports both mean "every port"). */
function namedPorts({ fromPort, toPort }: IngressRule): PortRange | undefined {
  if (fromPort === undefined || toPort === undefined || fromPort < 0 || toPort < 0) return undefined;
  return { from: fromPort, to: toPort };
}

export function portRangeOf(rule: IngressRule): PortRange {
  return namedPorts(rule) ?? { ...ALL_PORTS };
}

/** Whether the allowed ranges together cover every port of `range`. */
export function isCovered(range: PortRange, allowed: readonly PortRange[]): boolean {
  let next = range.from;
  for (const allowedRange of [...allowed].sort((a, b) => a.from - b.from)) {
    if (allowedRange.from > next) break;
    if (allowedRange.to >= next) next = allowedRange.to + 1;
    if (next > range.to) return true;
  }
  return next > range.to;
}

/** The parts of `range` that fall inside the allowed ranges, in port order. */
export function allowedPartsOf(range: PortRange, allowed: readonly PortRange[]): PortRange[] {
  return [...allowed]
    .sort((a, b) => a.from - b.from)
    .map((candidate) => ({ from: Math.max(range.from, candidate.from), to: Math.min(range.to, candidate.to) }))
    .filter((part) => part.from <= part.to);
}

export function sourceOf(rule: IngressRule): string {
  const { source } = rule;
  return source.kind === 'cidr' ? source.cidr : source.kind === 'securityGroup' ? source.groupId : source.prefixListId;
}

/** A rule in words: `tcp 22 from 0.0.0.0/0`, `udp 1000-2000 from sg-…`, `all traffic from ::/0`. */
export function describeIngress(rule: IngressRule): string {
  const protocol = canonicalProtocol(rule.protocol);
  if (protocol === '-1') return `all traffic from ${sourceOf(rule)}`;
  if (!hasPorts(rule)) return `protocol ${protocol} from ${sourceOf(rule)}`;
  const range = namedPorts(rule);
  const ports = range === undefined ? 'all ports' : range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
  return `${protocol} ${ports} from ${sourceOf(rule)}`;
}

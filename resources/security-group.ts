import type { IpPermission, SecurityGroup, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { isAccessDenied } from '../lib/aws/aws-errors';
import type { AwsClients } from '../lib/aws/clients';
import { chunks, EC2_FILTER_VALUES_MAX } from '../lib/aws/concurrency';
import { pages, unlessGone } from '../lib/aws/listing';
import { consoleHost, defineResourceType, type LiveContext, type TerraformInstance, type TerraformPlanFacts, type TypedResource } from '../lib/resource-type';
import { asArray, asNumber, asObject, asString, isObject, tagMap, withoutUndefined, type JsonObject } from '../lib/sources/values';

/** Where an ingress rule admits traffic from: exactly one of these per rule. */
export type IngressSource =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'securityGroup'; groupId: string }
  | { kind: 'prefixList'; prefixListId: string };

/**
 * One ingress rule with one source, the way `DescribeSecurityGroupRules` sees it. Sources that group
 * several CIDRs under one permission (Config items, inline Terraform blocks) are flattened into one
 * rule per CIDR, so a remediation can revoke one CIDR and keep its neighbours.
 */
export interface IngressRule {
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, `icmpv6`), `-1` for all traffic, or a protocol number. */
  protocol: string;
  /** Absent for protocols without ports (`-1`, protocol numbers other than tcp/udp). */
  fromPort?: number;
  toPort?: number;
  source: IngressSource;
  /** `sgr-…` when the source knows it (live API); absent in Config items and plans. */
  ruleId?: string;
  description?: string;
}

export interface SecurityGroupProperties {
  groupName?: string;
  vpcId?: string;
  ingress: IngressRule[];
  /**
   * Only some of the group's rules are known: rule resources declared apart from a group the source
   * does not hold (a plan adding rules to an existing group). A verdict covers these rules only.
   */
  partial?: boolean;
}

type SecurityGroupResource = TypedResource<'AWS::EC2::SecurityGroup', SecurityGroupProperties>;

const PAGE_SIZES = { 'EC2:DescribeSecurityGroups': 1000, 'EC2:DescribeSecurityGroupRules': 1000 } as const;

// ---------------------------------------------------------------------------------------------------
// AWS Config

function ingressFromItem(configuration: JsonObject): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const permission of asArray(configuration.ipPermissions).map(asObject)) {
    const protocol = String(permission.ipProtocol ?? '-1').toLowerCase();
    const ports = { fromPort: asNumber(permission.fromPort), toPort: asNumber(permission.toPort) };
    const base = protocol === '-1' ? { protocol } : { protocol, ...ports };
    const seen = new Set<string>();
    const ipv4 = [
      ...asArray(permission.ipv4Ranges).map((range) => ({ cidr: asString(asObject(range).cidrIp), description: asString(asObject(range).description) })),
      // Older items carry only `ipRanges`, a list of plain CIDR strings.
      ...asArray(permission.ipRanges).map((cidr) => ({ cidr: asString(cidr), description: undefined })),
    ];
    const ipv6 = asArray(permission.ipv6Ranges).map((range) => ({ cidr: asString(asObject(range).cidrIpv6), description: asString(asObject(range).description) }));
    for (const { cidr, description } of [...ipv4, ...ipv6]) {
      if (!cidr || seen.has(cidr)) continue;
      seen.add(cidr);
      rules.push({ ...base, source: { kind: 'cidr', cidr }, ...(description ? { description } : {}) });
    }
    for (const pair of asArray(permission.userIdGroupPairs).map(asObject)) {
      const groupId = asString(pair.groupId);
      const description = asString(pair.description);
      if (groupId) rules.push({ ...base, source: { kind: 'securityGroup', groupId }, ...(description ? { description } : {}) });
    }
    for (const prefixList of asArray(permission.prefixListIds).map(asObject)) {
      const prefixListId = asString(prefixList.prefixListId);
      const description = asString(prefixList.description);
      if (prefixListId) rules.push({ ...base, source: { kind: 'prefixList', prefixListId }, ...(description ? { description } : {}) });
    }
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------------
// Live API

/** One `IngressRule` per source, as `DescribeSecurityGroupRules` reports them (with their ids). */
function ingressFromRules(rules: readonly SecurityGroupRule[]): IngressRule[] {
  const ingress: IngressRule[] = [];
  for (const rule of rules) {
    if (rule.IsEgress) continue;
    const source: IngressSource | undefined = rule.CidrIpv4
      ? { kind: 'cidr', cidr: rule.CidrIpv4 }
      : rule.CidrIpv6
        ? { kind: 'cidr', cidr: rule.CidrIpv6 }
        : rule.ReferencedGroupInfo?.GroupId
          ? { kind: 'securityGroup', groupId: rule.ReferencedGroupInfo.GroupId }
          : rule.PrefixListId
            ? { kind: 'prefixList', prefixListId: rule.PrefixListId }
            : undefined;
    if (!source) continue;
    const protocol = (rule.IpProtocol ?? '-1').toLowerCase();
    ingress.push(
      withoutUndefined({
        protocol,
        // `-1` rules carry FromPort/ToPort -1 here but no ports in Config items; keep one shape.
        ...(protocol === '-1' ? {} : { fromPort: rule.FromPort, toPort: rule.ToPort }),
        source,
        ruleId: rule.SecurityGroupRuleId,
        description: rule.Description,
      }),
    );
  }
  return ingress;
}

/** Flattens `IpPermissions` (no rule ids) for groups whose rules could not be listed separately. */
function ingressFromPermissions(permissions: readonly IpPermission[]): IngressRule[] {
  const ingress: IngressRule[] = [];
  for (const permission of permissions) {
    const protocol = (permission.IpProtocol ?? '-1').toLowerCase();
    const base = protocol === '-1' ? { protocol } : withoutUndefined({ protocol, fromPort: permission.FromPort, toPort: permission.ToPort });
    const add = (source: IngressSource, description: string | undefined) => ingress.push(withoutUndefined({ ...base, source, description }));
    for (const range of permission.IpRanges ?? []) if (range.CidrIp) add({ kind: 'cidr', cidr: range.CidrIp }, range.Description);
    for (const range of permission.Ipv6Ranges ?? []) if (range.CidrIpv6) add({ kind: 'cidr', cidr: range.CidrIpv6 }, range.Description);
    for (const pair of permission.UserIdGroupPairs ?? []) if (pair.GroupId) add({ kind: 'securityGroup', groupId: pair.GroupId }, pair.Description);
    for (const list of permission.PrefixListIds ?? []) if (list.PrefixListId) add({ kind: 'prefixList', prefixListId: list.PrefixListId }, list.Description);
  }
  return ingress;
}

function fromApi(group: SecurityGroup, rules: readonly SecurityGroupRule[] | undefined, context: LiveContext): SecurityGroupResource {
  const accountId = group.OwnerId ?? context.accountId;
  return withoutUndefined({
    type: 'AWS::EC2::SecurityGroup' as const,
    id: group.GroupId!,
    name: group.GroupName,
    arn: group.SecurityGroupArn ?? (accountId ? `arn:aws:ec2:${context.region}:${accountId}:security-group/${group.GroupId}` : undefined),
    accountId,
    region: context.region,
    tags: tagMap(group.Tags),
    properties: withoutUndefined({
      groupName: group.GroupName,
      vpcId: group.VpcId,
      ingress: rules ? ingressFromRules(rules) : ingressFromPermissions(group.IpPermissions ?? []),
    }),
  });
}

/**
 * Ingress rules of a page of groups: one filtered, paginated DescribeSecurityGroupRules per 200
 * groups. `undefined` when the caller may not call it (policies written before the API existed):
 * the groups' own IpPermissions then give the same ingress, only without rule ids.
 */
async function rulesByGroup(clients: AwsClients, groupIds: readonly string[]): Promise<Map<string, SecurityGroupRule[]> | undefined> {
  try {
    const byGroup = new Map<string, SecurityGroupRule[]>(groupIds.map((id) => [id, []]));
    const ec2 = await clients.ec2();
    for (const ids of chunks(groupIds, EC2_FILTER_VALUES_MAX)) {
      const rulePages = ec2.paginateDescribeSecurityGroupRules(
        { client: ec2.client },
        { Filters: [{ Name: 'group-id', Values: ids }], MaxResults: PAGE_SIZES['EC2:DescribeSecurityGroupRules'] },
      );
      for await (const page of rulePages) {
        for (const rule of page.SecurityGroupRules ?? []) {
          if (rule.GroupId) byGroup.get(rule.GroupId)?.push(rule);
        }
      }
    }
    return byGroup;
  } catch (error) {
    if (isAccessDenied(error)) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Terraform

function normaliseProtocol(value: unknown): string {
  const protocol = String(value ?? '-1').toLowerCase();
  return protocol === 'all' ? '-1' : protocol;
}

/** Ingress rules with one source each, from any of the three ways Terraform declares them. */
function terraformRules(protocolValue: unknown, fromPort: unknown, toPort: unknown, description: string | undefined, sources: IngressSource[]): IngressRule[] {
  const protocol = normaliseProtocol(protocolValue);
  const ports = protocol === '-1' ? {} : { fromPort: asNumber(fromPort), toPort: asNumber(toPort) };
  return sources.map((source) => ({ protocol, ...ports, source, ...(description ? { description } : {}) }));
}

function cidrSources(...lists: unknown[]): IngressSource[] {
  return lists.flatMap((list) => asArray(list)).flatMap((cidr) => (asString(cidr) ? [{ kind: 'cidr' as const, cidr: cidr as string }] : []));
}

function inlineIngress(instance: TerraformInstance, groupKey: string): IngressRule[] {
  return asArray(instance.values.ingress).flatMap((entry) => {
    const block = asObject(entry);
    return terraformRules(block.protocol, block.from_port, block.to_port, asString(block.description), [
      ...cidrSources(block.cidr_blocks, block.ipv6_cidr_blocks),
      ...asArray(block.security_groups).flatMap((groupId) => (asString(groupId) ? [{ kind: 'securityGroup' as const, groupId: groupId as string }] : [])),
      ...asArray(block.prefix_list_ids).flatMap((id) => (asString(id) ? [{ kind: 'prefixList' as const, prefixListId: id as string }] : [])),
      ...(block.self === true ? [{ kind: 'securityGroup' as const, groupId: groupKey }] : []),
    ]);
  });
}

/** `aws_security_group_rule` (type ingress) or `aws_vpc_security_group_ingress_rule`, as rules of their group. */
function standaloneIngress(instance: TerraformInstance, groupKey: string): IngressRule[] {
  const v = instance.values;
  if (instance.type === 'aws_security_group_rule') {
    if (v.type !== 'ingress') return [];
    const sources: IngressSource[] = [
      ...cidrSources(v.cidr_blocks, v.ipv6_cidr_blocks),
      ...asArray(v.prefix_list_ids).flatMap((id) => (asString(id) ? [{ kind: 'prefixList' as const, prefixListId: id as string }] : [])),
    ];
    const sourceGroup = asString(v.source_security_group_id);
    if (sourceGroup) sources.push({ kind: 'securityGroup', groupId: sourceGroup });
    if (v.self === true) sources.push({ kind: 'securityGroup', groupId: groupKey });
    return terraformRules(v.protocol, v.from_port, v.to_port, asString(v.description), sources);
  }
  const sources = cidrSources([v.cidr_ipv4, v.cidr_ipv6]);
  const prefixListId = asString(v.prefix_list_id);
  if (prefixListId) sources.push({ kind: 'prefixList', prefixListId });
  const groupId = asString(v.referenced_security_group_id);
  if (groupId) sources.push({ kind: 'securityGroup', groupId });
  return terraformRules(v.ip_protocol, v.from_port, v.to_port, asString(v.description), sources).map((rule) => {
    const ruleId = asString(v.security_group_rule_id);
    return ruleId ? { ...rule, ruleId } : rule;
  });
}

function hasNestedUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasNestedUnknown);
  if (isObject(value)) return Object.values(value).some(hasNestedUnknown);
  return false;
}

/** What decides whether an ingress rule is open to the internet; an unknown group reference cannot make it so. */
const PUBLIC_EXPOSURE_ATTRIBUTES = ['cidr_blocks', 'ipv6_cidr_blocks', 'cidr_ipv4', 'cidr_ipv6', 'from_port', 'to_port', 'protocol', 'ip_protocol'];

function exposureIsUnknown(unknown: JsonObject): boolean {
  return PUBLIC_EXPOSURE_ATTRIBUTES.some((name) => hasNestedUnknown(unknown[name]));
}

/** Whether any ingress rule of a standalone rule resource is known only after apply. */
function ruleIsUnknown(instance: TerraformInstance): boolean {
  return exposureIsUnknown(instance.unknown);
}

/**
 * Whether a group's inline ingress is known only after apply. The provider computes `ingress` when it
 * is not written, so a group declared without it (its rules are separate resources) shows it as
 * unknown: the configuration tells that apart, and such a group has no inline rules.
 */
function inlineIngressIsUnknown(instance: TerraformInstance, plan: TerraformPlanFacts): boolean {
  const inline = instance.unknown.ingress;
  if (inline === true) return plan.isWritten(instance, 'ingress') !== false;
  return asArray(inline).some((block) => exposureIsUnknown(asObject(block)));
}

function isIngressRule(instance: TerraformInstance): boolean {
  return instance.type !== 'aws_security_group_rule' || instance.values.type === 'ingress';
}

export default defineResourceType({
  type: 'AWS::EC2::SecurityGroup',
  label: 'Security group',
  securityHubType: 'AwsEc2SecurityGroup',
  recordedByConfig: true,
  fromConfigItem: (configuration, item): { name?: string; properties: SecurityGroupProperties } => ({
    name: item.resourceName ?? asString(configuration.groupName),
    properties: { groupName: asString(configuration.groupName), vpcId: asString(configuration.vpcId), ingress: ingressFromItem(configuration) },
  }),
  live: {
    permissions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
    pageSizes: PAGE_SIZES,
    async *list(clients, context) {
      const ec2 = await clients.ec2();
      const groupPages = ec2.paginateDescribeSecurityGroups({ client: ec2.client }, { MaxResults: PAGE_SIZES['EC2:DescribeSecurityGroups'] });
      for await (const page of groupPages) {
        const groups = (page.SecurityGroups ?? []).filter((group) => group.GroupId);
        if (groups.length === 0) continue;
        const rules = await rulesByGroup(clients, groups.map((group) => group.GroupId!));
        yield groups.map((group) => fromApi(group, rules?.get(group.GroupId!), context));
      }
    },
    read: (clients, id, context) =>
      unlessGone(['InvalidGroup.NotFound', 'InvalidGroupId.Malformed'], async () => {
        const ec2 = await clients.ec2();
        const { SecurityGroups } = await ec2.client.send(new ec2.DescribeSecurityGroupsCommand({ GroupIds: [id] }));
        const group = SecurityGroups?.[0];
        if (!group) return undefined;
        const rules = await rulesByGroup(clients, [id]);
        return fromApi(group, rules?.get(id), context);
      }),
    minimumCalls(shape) {
      const { resources } = shape;
      const groupPageSize = PAGE_SIZES['EC2:DescribeSecurityGroups'];
      const groupPages = pages(resources, groupPageSize);
      const rulesPerGroup = resources === 0 ? 0 : (shape.securityGroupRules ?? resources * 5) / resources;
      let ruleCalls = 0;
      for (let page = 0; page < groupPages; page++) {
        const groupsInPage = Math.min(groupPageSize, resources - page * groupPageSize);
        for (let start = 0; start < groupsInPage; start += EC2_FILTER_VALUES_MAX) {
          const groups = Math.min(EC2_FILTER_VALUES_MAX, groupsInPage - start);
          ruleCalls += pages(Math.ceil(groups * rulesPerGroup), PAGE_SIZES['EC2:DescribeSecurityGroupRules']);
        }
      }
      return { 'EC2:DescribeSecurityGroups': groupPages, ...(ruleCalls > 0 && { 'EC2:DescribeSecurityGroupRules': ruleCalls }) };
    },
  },
  terraform: {
    resources: {
      aws_security_group: (instance, { key, related, plan }) => {
        const rules = related.filter(isIngressRule);
        const ingress = [...inlineIngress(instance, key), ...rules.flatMap((rule) => standaloneIngress(rule, key))];
        const unknown = inlineIngressIsUnknown(instance, plan) || rules.some(ruleIsUnknown);
        return {
          name: asString(instance.values.name),
          properties: { groupName: asString(instance.values.name), vpcId: asString(instance.values.vpc_id), ingress },
          unknown: unknown ? ['ingress'] : [],
        };
      },
    },
    related: { aws_security_group_rule: 'security_group_id', aws_vpc_security_group_ingress_rule: 'security_group_id' },
    // A rule on a group the plan does not manage (a literal sg-…, a data source, another stack's output)
    // is judged on its own, at its own address, so what it opens is never dropped.
    standalone(instance, groupKey, plan) {
      if (!isIngressRule(instance)) return undefined;
      return {
        id: groupKey ?? instance.address,
        name: groupKey ?? plan.referencesOf(instance, 'security_group_id')[0] ?? 'a security group known only after apply',
        properties: { ingress: standaloneIngress(instance, groupKey ?? instance.address), partial: true },
        unknown: ruleIsUnknown(instance) ? ['ingress'] : [],
      };
    },
  },
  consoleUrl: ({ region, resourceId }) => `${consoleHost(region)}/ec2/home?region=${region}#SecurityGroup:groupId=${resourceId}`,
  arn: ({ region, accountId, resourceId }) => `arn:aws:ec2:${region}:${accountId}:security-group/${resourceId}`,
});

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lookupPermissions } from '../../lib/lookups';
import { RESOURCE_TYPES } from '../../lib/model';
import { parseRuleParameters, rulePermissions, SEVERITIES } from '../../lib/rule';
import { REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';

const KNOWN_REMEDIATIONS = REMEDIATIONS.map((remediation) => remediation.id);

const RULE_FILES = readdirSync(join(__dirname, '../../rules'))
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => basename(file, '.ts'))
  .sort();

const rules = RULES.map((rule) => [rule.id, rule] as const);

describe('Rule registry', () => {
  it('registers exactly one rule per file in rules/, named after its file', () => {
    expect(RULES.map((rule) => rule.id).sort()).toEqual(RULE_FILES);
  });

  it.each(RULE_FILES)('holds the rule that rules/%s.ts exports', async (file) => {
    const { default: exported } = await import(`../../rules/${file}`);
    expect(exported.id).toBe(file);
    expect(RULES).toContain(exported);
  });

  it.each(rules)('%s has a title of at most 150 characters and a known severity', (_id, rule) => {
    expect(rule.title.trim()).not.toBe('');
    expect(rule.title.length).toBeLessThanOrEqual(150);
    expect(SEVERITIES).toContain(rule.severity);
  });

  it.each(rules)('%s evaluates only resource types the model knows', (_id, rule) => {
    expect(rule.resourceTypes.length).toBeGreaterThan(0);
    for (const type of rule.resourceTypes) expect(RESOURCE_TYPES).toContain(type);
    for (const type of rule.sweepOnlyResourceTypes ?? []) expect(rule.resourceTypes).toContain(type);
  });

  it.each(rules)('%s has triggers, and a periodic one when some of its types are swept only', (_id, rule) => {
    expect(rule.triggers.length).toBeGreaterThan(0);
    for (const trigger of rule.triggers) expect(['change', 'periodic']).toContain(trigger);
    if (rule.sweepOnlyResourceTypes?.length) expect(rule.triggers).toContain('periodic');
  });

  it.each(rules)('%s has a default or is optional for every parameter, so {} and an empty ruleParameters parse', (_id, rule) => {
    expect(() => parseRuleParameters(rule, {})).not.toThrow();
    expect(parseRuleParameters(rule, '')).toEqual(parseRuleParameters(rule, {}));
  });

  it.each(rules)('%s names its AWS managed rule and Security Hub controls', (_id, rule) => {
    const managed = [rule.references.configManagedRule ?? []].flat();
    expect(managed.length).toBeGreaterThan(0);
    for (const name of managed) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.references.securityHub?.length).toBeGreaterThan(0);
    for (const control of rule.references.securityHub ?? []) expect(control).toMatch(/^[A-Za-z0-9]+\.\d+$/);
  });

  it.each(rules)('%s refers only to a known remediation', (_id, rule) => {
    expect(rule.remediation).toBeDefined();
    expect(KNOWN_REMEDIATIONS).toContain(rule.remediation);
  });

  it.each(rules)('%s is granted specific IAM actions, and only for the lookups it declares', (_id, rule) => {
    const permissions = rulePermissions(rule);
    for (const action of permissions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
    expect(permissions.length > 0).toBe(rule.lookups.length > 0);
    // The deployed policy is built from `rulePermissions`; test/aws/lookups.test.ts proves each lookup calls exactly its actions.
    expect(permissions).toEqual([...new Set(rule.lookups.flatMap(lookupPermissions))].sort());
  });
});

describe('Rule documentation', () => {
  it.each(rules)('%s has a page in docs/rules/ that says what it checks, why, how to fix it and how to exempt it', (id) => {
    const page = readFileSync(join(__dirname, '../../docs/rules', `${id}.md`), 'utf8');
    expect(page.startsWith(`# ${id}\n`)).toBe(true);
    for (const section of ['## What it checks', '## Why it matters', '## How to fix it', '## How to exempt a resource']) expect(page).toContain(section);
    expect(page).toContain('Terraform');
    expect(page).toContain('Console');
  });
});

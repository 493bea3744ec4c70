import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findRemediation, REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';

const FILES = readdirSync(join(__dirname, '../../remediations'))
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => file.replace(/\.ts$/, ''));

describe('Remediation registry', () => {
  it('registers one remediation per file, named after it', () => {
    expect(REMEDIATIONS.map((remediation) => remediation.id).sort()).toEqual([...FILES].sort());
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('has the remediation rule %s names, for every type the rule evaluates', (_id, rule) => {
    const remediation = findRemediation(rule.remediation!);
    expect(remediation.resourceTypes).toEqual(expect.arrayContaining([...rule.resourceTypes]));
  });

  it.each(REMEDIATIONS.map((remediation) => [remediation.id, remediation] as const))('%s declares well-formed IAM grants with a reason', (_id, remediation) => {
    expect(remediation.permissions.length).toBeGreaterThan(0);
    for (const grant of remediation.permissions) {
      expect(grant.reason).not.toBe('');
      for (const action of grant.actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
      for (const resource of grant.resources) expect(resource).toMatch(/^(\*|arn:\$\{AWS::Partition\}:[a-z0-9-]+:|\$\{[A-Za-z]+\.Arn\}$)/);
    }
  });

  it('rejects an unknown remediation by name, listing the known ones', () => {
    expect(() => findRemediation('delete-everything')).toThrow('No remediation "delete-everything" (known: revoke-public-ingress, enable-flow-logs, enable-encryption, rotate-secret)');
  });
});

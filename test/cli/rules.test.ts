import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../../rules';
import { runInProcess } from './run';

describe('CLI: driftwarden rules', () => {
  it('lists every rule with its mapping, parameters, remediation mode and documentation link', async () => {
    const run = await runInProcess('rules');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    for (const rule of RULES) expect(run.stdout).toContain(`${rule.id}  ${rule.severity}`);
    expect(run.stdout).toContain('parameters        authorizedTcpPorts=80,443, authorizedUdpPorts=""');
    expect(run.stdout).toContain('AWS managed rule  vpc-sg-open-only-to-authorized-ports');
    expect(run.stdout).toContain('Security Hub      EC2.18, EC2.19');
    expect(run.stdout).toContain('remediation       revoke-public-ingress (mode: dry-run)');
    expect(run.stdout).toContain('/docs/rules/public-app-ports.md');
    expect(run.stdout).toContain('kmsKeyArns (optional)');
  });

  it('prints JSON with defaults and the values a settings file sets', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'driftwarden-rules-')), 'settings.yml');
    writeFileSync(config, 'rules:\n  public-app-ports:\n    mode: auto\n    parameters:\n      authorizedTcpPorts: "443"\n  secret-rotation:\n    enabled: false\n');
    const run = await runInProcess('rules', '--format', 'json', '--config', config);
    const { rules } = JSON.parse(run.stdout);
    expect(rules.map((rule: { id: string }) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    const ports = rules.find((rule: { id: string }) => rule.id === 'public-app-ports');
    expect(ports).toMatchObject({
      severity: 'high',
      resourceTypes: ['AWS::EC2::SecurityGroup'],
      triggers: ['change'],
      parameters: [
        { name: 'authorizedTcpPorts', default: '80,443', value: '443' },
        { name: 'authorizedUdpPorts', default: '', value: '' },
      ],
      configManagedRules: ['vpc-sg-open-only-to-authorized-ports'],
      securityHubControls: ['EC2.18', 'EC2.19'],
      remediation: { id: 'revoke-public-ingress', mode: 'auto' },
      enabled: true,
    });
    expect(ports.documentation).toMatch(/^https:\/\/.+\/docs\/rules\/public-app-ports\.md$/);
    expect(rules.find((rule: { id: string }) => rule.id === 'secret-rotation').enabled).toBe(false);
  });
});

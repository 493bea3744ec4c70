import { InvalidParameterError, UnknownRuleError } from '../lib/errors';
import { parseSettings } from '../lib/settings';
import { configureRules, failsAt, parseParameterOverride, scan, type ScanReport, type ScanSummary } from '../lib/scan';
import { readSnapshot } from '../lib/sources/snapshot';
import { RULES } from '../rules';
import { fixture, NOW } from './helpers';

const snapshot = readSnapshot([fixture('config/sg-public-app.json'), fixture('config/rds-instance-unencrypted.json'), fixture('config/secret-never-rotated.json'), fixture('config/vpc.json')]);
const defaults = parseSettings({}, RULES);

describe('scan', () => {
  it('evaluates every rule against the resources of its types and tallies the verdicts', () => {
    const report = scan(snapshot, { rules: RULES, settings: defaults, now: NOW });
    expect(report.evaluations.map((evaluation) => `${evaluation.ruleId} ${evaluation.compliance}`)).toEqual([
      'public-app-ports NON_COMPLIANT',
      'encryption-at-rest NON_COMPLIANT',
      'secret-rotation NON_COMPLIANT',
      'vpc-flow-logs INSUFFICIENT_DATA',
    ]);
    expect(report.summary).toMatchObject({ resources: 4, evaluations: 4, nonCompliant: 3, insufficientData: 1, findingsBySeverity: { critical: 0, high: 2, medium: 1, low: 0 } });
  });

  it('skips rules the settings disable', () => {
    const settings = parseSettings({ rules: { 'public-app-ports': { enabled: false } } }, RULES);
    expect(scan(snapshot, { rules: RULES, settings, now: NOW }).evaluations.map((evaluation) => evaluation.ruleId)).not.toContain('public-app-ports');
  });

  it('applies --param overrides on top of the settings parameters', () => {
    const settings = parseSettings({ rules: { 'public-app-ports': { parameters: { authorizedTcpPorts: '443' } } } }, RULES);
    const overrides = [parseParameterOverride('public-app-ports.authorizedTcpPorts=22,443,4000,5173', RULES)];
    const report = scan(snapshot, { rules: RULES, settings, overrides, now: NOW });
    expect(report.evaluations.find((evaluation) => evaluation.ruleId === 'public-app-ports')?.compliance).toBe('COMPLIANT');
  });

  it('accepts a Config rule name in --param', () => {
    expect(parseParameterOverride('driftwarden-prod-secret-rotation.maxAgeDays=30', RULES)).toEqual({ ruleId: 'secret-rotation', name: 'maxAgeDays', value: '30' });
  });

  it.each([
    ['public-app-ports', InvalidParameterError],
    ['public-app-ports.nope=1', InvalidParameterError],
    ['no-such-rule.maxAgeDays=1', UnknownRuleError],
  ])('rejects --param %s', (text, error) => {
    expect(() => parseParameterOverride(text, RULES)).toThrow(error);
  });

  it('validates the merged parameters', () => {
    const overrides = [parseParameterOverride('secret-rotation.maxAgeDays=soon', RULES)];
    expect(() => configureRules({ rules: RULES, settings: defaults, overrides })).toThrow('Rule secret-rotation: parameter "maxAgeDays": expected a whole number');
  });

  it.each<[ScanSummary['findingsBySeverity'], 'high' | 'medium' | 'none', boolean]>([
    [{ critical: 0, high: 0, medium: 2, low: 0 }, 'high', false],
    [{ critical: 0, high: 0, medium: 2, low: 0 }, 'medium', true],
    [{ critical: 1, high: 0, medium: 0, low: 0 }, 'high', true],
    [{ critical: 1, high: 3, medium: 0, low: 0 }, 'none', false],
  ])('with findings %j, --fail-on %s fails: %s', (findingsBySeverity, threshold, fails) => {
    expect(failsAt({ summary: { findingsBySeverity }, evaluations: [] } as unknown as ScanReport, threshold)).toBe(fails);
  });
});

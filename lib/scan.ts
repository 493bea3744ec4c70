import { findingFingerprint } from './baseline';
import { InvalidParameterError } from './errors';
import { evaluateResource, findRule, notApplicable, type Evaluation } from './evaluate';
import { SEVERITIES, knownParameters, parseRuleParameters, type AnyRule, type Severity } from './rule';
import { ruleSettingsFor, type Settings } from './settings';
import type { IncompleteRead, SourceOrigin, SourceResult } from './sources/source';
import { suppressionFor, type Suppression } from './suppressions';

/** One `--param rule.name=value` override. */
export interface ParameterOverride {
  ruleId: string;
  name: string;
  value: string;
}

export interface RuleTally {
  title: string;
  severity: Severity;
  compliant: number;
  nonCompliant: number;
  notApplicable: number;
  exempt: number;
  insufficientData: number;
}

export interface ScanSummary {
  resources: number;
  evaluations: number;
  compliant: number;
  /** Non-compliant and not exempt: the findings. */
  nonCompliant: number;
  notApplicable: number;
  /** Non-compliant, but the resource carries an exemption in force. */
  exempt: number;
  /** What the input cannot tell (`INSUFFICIENT_DATA`, shown as "unknown"): never counted as compliant. */
  insufficientData: number;
  /** Non-compliant findings the `--baseline` file already records. */
  baselined: number;
  findingsBySeverity: Record<Severity, number>;
  byRule: Record<string, RuleTally>;
  /** Resource types in the input driftwarden has no model for, with how many were skipped. */
  skippedTypes: Record<string, number>;
  /** Resources being destroyed by a plan, not evaluated. */
  destroyed: number;
  /** What the input held but could not be read, and why. Empty when everything was read. */
  incomplete: IncompleteRead[];
}

export interface ScanReport {
  origin: SourceOrigin;
  summary: ScanSummary;
  evaluations: Evaluation[];
}

export interface ScanOptions {
  rules: readonly AnyRule[];
  settings: Settings;
  overrides?: readonly ParameterOverride[];
  now: Date;
  /** Exemptions from a suppressions file, applied like the exemption tag. */
  suppressions?: readonly Suppression[];
  /** Fingerprints of known findings (`--baseline`): reported as baselined, not as findings. */
  baseline?: ReadonlySet<string>;
}

/** Parses `rule.name=value` (the rule may be its id or a Config rule name ending in it). */
export function parseParameterOverride(text: string, rules: readonly AnyRule[]): ParameterOverride {
  const match = /^([^=]+)\.([^.=]+)=(.*)$/s.exec(text);
  if (!match) {
    throw new InvalidParameterError(`--param ${text}: expected rule.parameter=value, e.g. public-app-ports.authorizedTcpPorts=80,443`);
  }
  const rule = findRule(rules, match[1]!);
  const name = match[2]!;
  if (!knownParameters(rule).includes(name)) {
    throw new InvalidParameterError(`--param ${text}: rule ${rule.id} has no parameter "${name}" (known: ${knownParameters(rule).join(', ') || 'none'})`);
  }
  return { ruleId: rule.id, name, value: match[3]! };
}

/** The enabled rules with their validated parameters: settings first, `--param` overrides on top. */
export function configureRules(options: Pick<ScanOptions, 'rules' | 'settings' | 'overrides'>): { rule: AnyRule; params: unknown }[] {
  return options.rules.flatMap((rule) => {
    const settings = ruleSettingsFor(options.settings, rule.id);
    if (!settings.enabled) return [];
    const raw: Record<string, unknown> = { ...settings.parameters };
    for (const override of options.overrides ?? []) {
      if (override.ruleId === rule.id) raw[override.name] = override.value;
    }
    return [{ rule, params: parseRuleParameters(rule, raw) }];
  });
}

function emptyTally(rule: AnyRule): RuleTally {
  return { title: rule.title, severity: rule.severity, compliant: 0, nonCompliant: 0, notApplicable: 0, exempt: 0, insufficientData: 0 };
}

/** Evaluates every enabled rule against every resource of its types. */
export function scan(source: SourceResult, options: ScanOptions): ScanReport {
  const configured = configureRules(options);
  const rulesByType = new Map<string, { rule: AnyRule; params: unknown }[]>();
  for (const entry of configured) {
    for (const type of entry.rule.resourceTypes) {
      const list = rulesByType.get(type);
      if (list) list.push(entry);
      else rulesByType.set(type, [entry]);
    }
  }
  const byRule: Record<string, RuleTally> = {};
  for (const { rule } of configured) byRule[rule.id] = emptyTally(rule);
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const summary: ScanSummary = {
    resources: source.resources.length,
    evaluations: 0,
    compliant: 0,
    nonCompliant: 0,
    notApplicable: 0,
    exempt: 0,
    insufficientData: 0,
    baselined: 0,
    findingsBySeverity,
    byRule,
    skippedTypes: source.skippedTypes,
    destroyed: source.destroyed,
    incomplete: source.incomplete ?? [],
  };
  const evaluations: Evaluation[] = [];
  for (const resource of source.resources) {
    const entries = rulesByType.get(resource.type);
    if (!entries) continue;
    for (const { rule, params } of entries) {
      const evaluation = evaluateResource(rule, params, resource, source.lookups, options.now);
      if (!evaluation.exemption && options.suppressions) {
        const suppression = suppressionFor(evaluation, options.suppressions, options.now);
        if (suppression) evaluation.exemption = suppression;
      }
      evaluations.push(evaluation);
      const tally = byRule[rule.id]!;
      if (evaluation.compliance === 'COMPLIANT') {
        summary.compliant++;
        tally.compliant++;
      } else if (evaluation.compliance === 'NOT_APPLICABLE') {
        summary.notApplicable++;
        tally.notApplicable++;
      } else if (evaluation.compliance === 'INSUFFICIENT_DATA') {
        summary.insufficientData++;
        tally.insufficientData++;
      } else if (evaluation.exemption) {
        summary.exempt++;
        tally.exempt++;
      } else if (options.baseline?.has(findingFingerprint(evaluation))) {
        evaluation.baselined = true;
        summary.baselined++;
      } else {
        summary.nonCompliant++;
        tally.nonCompliant++;
        findingsBySeverity[evaluation.severity]++;
      }
    }
  }
  for (const gone of source.gone ?? []) {
    for (const { rule } of rulesByType.get(gone.resourceType) ?? []) {
      const what = gone.status === 'ResourceNotRecorded' ? 'no longer recorded by AWS Config' : 'deleted';
      evaluations.push(notApplicable(rule, gone, `The resource is ${what} (its newest configuration item is ${gone.status}); nothing to evaluate.`, gone.capturedAt ?? options.now.toISOString()));
      summary.notApplicable++;
      byRule[rule.id]!.notApplicable++;
    }
  }
  summary.evaluations = evaluations.length;
  return { origin: source.origin, summary, evaluations };
}

/** A finding: non-compliant, not exempt and not already in the baseline. */
export function isFinding(evaluation: Evaluation): boolean {
  return evaluation.compliance === 'NON_COMPLIANT' && evaluation.exemption === undefined && evaluation.baselined === undefined;
}

/** An unknown verdict: the input could not tell (`INSUFFICIENT_DATA`). */
export function isUnknown(evaluation: Evaluation): boolean {
  return evaluation.compliance === 'INSUFFICIENT_DATA';
}

/**
 * Whether any finding is at or above `threshold` (`none` never fails). Unknown verdicts at or above
 * it fail only when `failOnUnknown` is set: whether they are findings is exactly what cannot be told.
 */
export function failsAt(report: ScanReport, threshold: Severity | 'none', failOnUnknown = false): boolean {
  if (threshold === 'none') return false;
  const limit = SEVERITIES.indexOf(threshold);
  const atOrAbove = (severity: Severity) => SEVERITIES.indexOf(severity) <= limit;
  if (SEVERITIES.some((severity) => atOrAbove(severity) && report.summary.findingsBySeverity[severity] > 0)) return true;
  return failOnUnknown && report.evaluations.some((evaluation) => isUnknown(evaluation) && atOrAbove(evaluation.severity));
}

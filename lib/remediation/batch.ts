import { appliesTo, evaluateResource, type Evaluation } from '../evaluate';
import type { Lookups } from '../lookups';
import type { Resource } from '../model';
import type { AnyRule } from '../rule';
import { configureRules } from '../scan';
import type { Settings } from '../settings';
import type { RemediationRun } from './remediate';
import type { AnyRemediation, RemediationPlan, StackResources } from './plan';
import { describeCall } from './undo';

/** What the CLI plans from: resources and lookups from any source (live, snapshot, Terraform, demo). */
export interface PlanningSource {
  resources: readonly Resource[];
  lookups: Lookups;
}

export interface PlanningOptions {
  rules: readonly AnyRule[];
  remediations: readonly AnyRemediation[];
  settings: Settings;
  stack: StackResources;
  now: Date;
}

/** A non-compliant evaluation, with the plan that fixes it or the exemption that keeps it as it is. */
export interface PlannedFinding {
  evaluation: Evaluation;
  resource: Resource;
  plan?: RemediationPlan;
}

/** Every non-compliant finding of the source, each with its remediation's plan (exempt ones without). */
export function planFindings(source: PlanningSource, options: PlanningOptions): PlannedFinding[] {
  const planned: PlannedFinding[] = [];
  for (const { rule, params: parameters } of configureRules(options)) {
    const remediation = options.remediations.find((candidate) => candidate.id === rule.remediation);
    if (!remediation) continue;
    for (const resource of source.resources) {
      if (!appliesTo(rule, resource.type)) continue;
      const evaluation = evaluateResource(rule, parameters, resource, source.lookups, options.now);
      if (evaluation.compliance !== 'NON_COMPLIANT') continue;
      if (evaluation.exemption) {
        planned.push({ evaluation, resource });
        continue;
      }
      const plan = remediation.plan({ resource, evaluation, parameters, settings: options.settings.remediation, stack: options.stack });
      planned.push({ evaluation, resource, plan });
    }
  }
  return planned;
}

/** Whether `--apply` would change something for this finding. */
export function hasAutomaticFix(finding: PlannedFinding): boolean {
  return (finding.plan?.steps.length ?? 0) > 0;
}

/** Changes `--apply` would make: the steps of every plan. */
export function changeCount(planned: readonly PlannedFinding[]): number {
  return planned.reduce((total, finding) => total + (finding.plan?.steps.length ?? 0), 0);
}

function resourceLabel(finding: PlannedFinding): string {
  const { resource } = finding;
  const name = resource.name && resource.name !== resource.id ? ` (${resource.name})` : '';
  return `${resource.id}${name}${resource.address ? ` [${resource.address}]` : ''}`;
}

/** The plans as a person reads them: what changes, the exact calls, what stays, what a person must do. */
export function renderPlans(planned: readonly PlannedFinding[]): string {
  const lines: string[] = [];
  for (const finding of planned) {
    const { evaluation, plan } = finding;
    lines.push(`${evaluation.severity.toUpperCase()}  ${evaluation.ruleId}  ${evaluation.resourceType} ${resourceLabel(finding)}`);
    lines.push(`  finding: ${evaluation.annotation}`);
    if (!plan) {
      const until = evaluation.exemption?.until ? ` until ${evaluation.exemption.until}` : '';
      lines.push(`  exempt${until}: ${evaluation.exemption?.reason}; nothing will be changed.`, '');
      continue;
    }
    lines.push(`  plan (${plan.remediation}): ${plan.summary}`);
    plan.steps.forEach((step, index) => {
      lines.push(`    ${index + 1}. ${step.description}`, `       ${describeCall(step.call)}`);
      if (step.undo.length === 0) lines.push('       (cannot be undone)');
    });
    for (const kept of plan.keeps) lines.push(`    keeps: ${kept}`);
    if (plan.manual) {
      lines.push(`  by hand: ${plan.manual.reason}`);
      for (const command of plan.manual.commands) lines.push(`    ${command.startsWith('#') ? command : `$ ${command}`}`);
    }
    lines.push('');
  }
  const automatic = planned.filter(hasAutomaticFix).length;
  const changes = changeCount(planned);
  const manual = planned.filter((finding) => finding.plan?.manual).length;
  const exempt = planned.filter((finding) => !finding.plan).length;
  lines.push(
    `${planned.length} finding${planned.length === 1 ? '' : 's'}: ${automatic} with an automatic fix (${changes} change${changes === 1 ? '' : 's'}), ${manual} needing a person, ${exempt} exempt.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The plans as one JSON object, for scripts. */
export function plansAsJson(planned: readonly PlannedFinding[]): string {
  return `${JSON.stringify(
    {
      summary: { findings: planned.length, changes: changeCount(planned) },
      plans: planned.map(({ evaluation, plan }) => ({
        ruleId: evaluation.ruleId,
        severity: evaluation.severity,
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
        ...(evaluation.address !== undefined && { address: evaluation.address }),
        annotation: evaluation.annotation,
        ...(evaluation.exemption && { exemption: evaluation.exemption }),
        ...(plan && { plan }),
      })),
    },
    null,
    2,
  )}\n`;
}

/** One line per applied run, with the id `undo` takes. */
export function renderRuns(runs: readonly { finding: PlannedFinding; run: RemediationRun }[]): string {
  const lines = runs.map(({ finding, run }) => `${run.outcome.padEnd(13)} ${finding.evaluation.ruleId}  ${finding.resource.id}  ${run.summary}  (audit id: ${run.auditId})`);
  return `${lines.join('\n')}\n`;
}

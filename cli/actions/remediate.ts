import { findingFromEvaluation } from '../../lib/finding';
import { changeCount, hasAutomaticFix, planFindings, plansAsJson, renderPlans, renderRuns, type PlannedFinding } from '../../lib/remediation/batch';
import type { EventPublisher } from '../../lib/remediation/events';
import type { StackResources } from '../../lib/remediation/plan';
import { remediateFinding, type RemediationRun } from '../../lib/remediation/remediate';
import type { Settings } from '../../lib/settings';
import { REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';
import { loadSettings } from '../settings';
import { auditTableName, type CommandIO, type RemediateDependencies, type RemediateFlags } from '../commands/remediate';

/** CLI runs are not announced on the bus: the person sees the result, and the audit table keeps it. */
const notPublished: EventPublisher = { publish: async () => undefined };

async function applyPlans(planned: PlannedFinding[], flags: RemediateFlags, settings: Settings, stack: StackResources, io: CommandIO, deps: RemediateDependencies): Promise<void> {
  const account = await deps.connect({ ...(flags.region !== undefined && { region: flags.region }), auditTable: auditTableName(flags) });
  const runs: { finding: PlannedFinding; run: RemediationRun }[] = [];
  for (const finding of planned.filter(hasAutomaticFix)) {
    const region = finding.resource.region ?? flags.region ?? '';
    const clients = account.clients(region);
    try {
      const run = await remediateFinding(
        findingFromEvaluation(finding.evaluation, deps.newRunId(), { region: clients.region }),
        {
          rules: RULES,
          remediations: REMEDIATIONS,
          settings,
          stack,
          audit: account.audit,
          events: notPublished,
          clients,
          readLiveResource: account.readLiveResource,
          loadLookups: account.loadLookups,
          now: io.now,
          sleep: deps.sleep,
        },
        { origin: 'cli', mode: 'auto' },
      );
      runs.push({ finding, run });
      if (run.outcome === 'failed') io.exitCode = 1;
    } catch (error) {
      io.stderr.write(`driftwarden: ${finding.evaluation.ruleId} ${finding.resource.id}: ${(error as Error).message}\n`);
      io.exitCode = 1;
    }
  }
  io.stdout.write(renderRuns(runs));
}

export async function runRemediate(flags: RemediateFlags, io: CommandIO, deps: RemediateDependencies): Promise<void> {
  const settings = await loadSettings(flags.config);
  const stack: StackResources = {
    ...(flags.kmsKeyArn !== undefined && { kmsKeyArn: flags.kmsKeyArn }),
    ...(flags.flowLogRoleArn !== undefined && { flowLogRoleArn: flags.flowLogRoleArn }),
  };
  const source = await deps.readSource(flags);
  const planned = planFindings(source, { rules: RULES, remediations: REMEDIATIONS, settings, stack, now: io.now() });
  io.stdout.write(flags.format === 'json' ? plansAsJson(planned) : renderPlans(planned));
  if (!flags.apply) {
    if (flags.format === 'text') io.stdout.write('Dry run: nothing was changed. Run with --apply to make these changes.\n');
    return;
  }
  const changes = changeCount(planned);
  if (changes === 0) {
    io.stdout.write('Nothing to apply.\n');
    return;
  }
  const question = `Apply ${changes} change${changes === 1 ? '' : 's'} to ${planned.filter(hasAutomaticFix).length} resource(s)? Each is re-read and re-checked first. [y/N] `;
  if (!flags.yes && !(await deps.confirm(question))) {
    io.stdout.write('Nothing was changed.\n');
    return;
  }
  await applyPlans(planned, flags, settings, stack, io, deps);
}


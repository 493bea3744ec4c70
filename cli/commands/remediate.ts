import { Option, type Command } from 'commander';
import { findingFromEvaluation } from '../../lib/finding';
import { changeCount, hasAutomaticFix, planFindings, plansAsJson, renderPlans, renderRuns, type PlannedFinding, type PlanningSource } from '../../lib/remediation/batch';
import type { EventPublisher } from '../../lib/remediation/events';
import type { StackResources } from '../../lib/remediation/plan';
import { remediateFinding, type RemediationRun } from '../../lib/remediation/remediate';
import { parseSettings, type Settings } from '../../lib/settings';
import { readSettingsFile } from '../../lib/settings-file';
import { REMEDIATIONS } from '../../remediations';
import { RULES } from '../../rules';
import type { CliContext } from '../context';
import type { RemediationAccount } from '../remediation-account';

/** The part of the CLI's context these commands use. */
export type CommandIO = Pick<CliContext, 'stdout' | 'stderr' | 'now' | 'exitCode'>;

export interface SourceFlags {
  snapshot?: string;
  terraform?: string;
  demo?: boolean;
  region?: string;
}

export interface RemediateDependencies {
  /** The findings' source, exactly as `scan` reads it: live account, snapshot, Terraform or the demo. */
  readSource(flags: SourceFlags): Promise<PlanningSource>;
  /** Asks the person at the terminal; false when nobody can answer. */
  confirm(question: string): Promise<boolean>;
  connect(options: { region?: string; auditTable: string }): RemediationAccount;
  /** A fresh id per applied finding (the audit id `undo` takes). */
  newRunId(): string;
  sleep(ms: number): Promise<void>;
}

interface RemediateFlags extends SourceFlags {
  config?: string;
  apply?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  stage: string;
  auditTable?: string;
  kmsKeyArn?: string;
  flowLogRoleArn?: string;
  format: 'text' | 'json';
}

/** CLI runs are not announced on the bus: the person sees the result, and the audit table keeps it. */
const notPublished: EventPublisher = { publish: async () => undefined };

export function auditTableName(flags: { stage: string; auditTable?: string }): string {
  return flags.auditTable ?? `driftwarden-${flags.stage}-remediation-audit`;
}

async function applyPlans(planned: PlannedFinding[], flags: RemediateFlags, settings: Settings, stack: StackResources, io: CommandIO, deps: RemediateDependencies): Promise<void> {
  const account = deps.connect({ ...(flags.region !== undefined && { region: flags.region }), auditTable: auditTableName(flags) });
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
  const settings = flags.config !== undefined ? readSettingsFile(flags.config, RULES) : parseSettings({}, RULES);
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

export function registerRemediateCommand(program: Command, io: CommandIO, deps: RemediateDependencies): void {
  program
    .command('remediate')
    .description('Show the fix for every finding of a scan (dry run, the default), or apply the fixes to the live account.')
    .addOption(new Option('--snapshot <file>', 'findings of AWS Config items in a file').conflicts(['terraform', 'demo']))
    .addOption(new Option('--terraform <file>', 'findings of `terraform show -json` output').conflicts(['demo']))
    .addOption(new Option('--demo', 'findings of the embedded sample account (dry run only)').conflicts(['apply']))
    .option('--region <region>', 'live account: the region to scan and change, and of the audit table')
    .option('--config <file>', 'settings file (JSON or YAML), the same the deployment uses')
    .addOption(new Option('--dry-run', 'only show the plans (default)').conflicts(['apply']))
    .option('--apply', 'make the changes in the live account: each resource is re-read and re-checked first')
    .option('--yes', 'with --apply: do not ask for confirmation')
    .option('--stage <stage>', 'the deployed stage whose audit table records the changes', 'dev')
    .option('--audit-table <name>', 'the audit table (default: driftwarden-<stage>-remediation-audit)')
    .option('--kms-key-arn <arn>', 'the stack key, for log groups and topics (the stack\'s RemediationKey)')
    .option('--flow-log-role-arn <arn>', 'the stack\'s flow-log delivery role (FlowLogDeliveryRole)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: RemediateFlags) => runRemediate(flags, io, deps));
}

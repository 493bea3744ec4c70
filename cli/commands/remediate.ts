import { Option, type Command } from 'commander';
import type { PlanningSource } from '../../lib/remediation/batch';
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
  connect(options: { region?: string; auditTable: string }): Promise<RemediationAccount>;
  /** A fresh id per applied finding (the audit id `undo` takes). */
  newRunId(): string;
  sleep(ms: number): Promise<void>;
}

export interface RemediateFlags extends SourceFlags {
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

export function auditTableName(flags: { stage: string; auditTable?: string }): string {
  return flags.auditTable ?? `driftwarden-${flags.stage}-remediation-audit`;
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
    .action(async (flags: RemediateFlags) => (await import('../actions/remediate')).runRemediate(flags, io, deps));
}

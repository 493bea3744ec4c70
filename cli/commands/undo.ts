import type { Command } from 'commander';
import type { CommandIO, RemediateDependencies } from './remediate';

export interface UndoFlags {
  stage: string;
  auditTable?: string;
  region?: string;
  yes?: boolean;
}

export function registerUndoCommand(program: Command, io: CommandIO, deps: Pick<RemediateDependencies, 'confirm' | 'connect'>): void {
  program
    .command('undo')
    .description('Restore what a remediation changed (security group rules, encryption and flow-log settings), from its audit record.')
    .argument('<audit-id>', 'the audit id of the run, as `remediate --apply` and the remediation events show it')
    .option('--stage <stage>', 'the deployed stage whose audit table holds the record', 'dev')
    .option('--audit-table <name>', 'the audit table (default: driftwarden-<stage>-remediation-audit)')
    .option('--region <region>', 'the region of the audit table')
    .option('--yes', 'do not ask for confirmation')
    .action(async (auditId: string, flags: UndoFlags) => (await import('../actions/undo')).runUndo(auditId, flags, io, deps));
}

import { reversibleRecord, describeCall, undoRemediation } from '../../lib/remediation/undo';
import { auditTableName, type CommandIO, type RemediateDependencies } from '../commands/remediate';
import type { UndoFlags } from '../commands/undo';

export async function runUndo(auditId: string, flags: UndoFlags, io: CommandIO, deps: Pick<RemediateDependencies, 'confirm' | 'connect'>): Promise<void> {
  const account = await deps.connect({ ...(flags.region !== undefined && { region: flags.region }), auditTable: auditTableName(flags) });
  const record = await reversibleRecord(auditId, account.audit);
  io.stdout.write(`${record.ruleId}  ${record.resourceType} ${record.resourceId}  (${record.outcome} ${record.updatedAt})\n  ${record.summary}\nUndo runs:\n`);
  record.undo!.forEach((call, index) => io.stdout.write(`  ${index + 1}. ${describeCall(call)}\n`));
  if (!flags.yes && !(await deps.confirm(`Restore ${record.resourceId} as it was before ${auditId}? [y/N] `))) {
    io.stdout.write('Nothing was changed.\n');
    return;
  }
  const { result } = await undoRemediation(auditId, { audit: account.audit, clients: account.clients(record.region ?? ''), now: io.now });
  for (const step of result.steps) io.stdout.write(`  ${step.status.padEnd(12)} ${step.operation}${step.errorCode ? `: ${step.errorCode}: ${step.errorMessage}` : ''}\n`);
  io.stdout.write(`${result.outcome === 'failed' ? 'Undo failed' : 'Undone'}: ${result.message}\n`);
  if (result.outcome === 'failed') io.exitCode = 1;
}


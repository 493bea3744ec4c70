import { UndoNotPossibleError } from '../errors';
import type { AuditLog, AuditRecord } from './audit';
import { applySteps } from './execute';
import type { ApiCall, ApplyResult, PlannedStep, RemediationClients } from './plan';

export interface UndoDependencies {
  audit: AuditLog;
  clients: RemediationClients;
  now(): Date;
}

export interface UndoOutcome {
  record: AuditRecord;
  result: ApplyResult;
}

/** A call in words: the operation and its input, as the AWS CLI user would recognise it. */
export function describeCall(call: ApiCall): string {
  return `${call.service} ${call.operation} ${JSON.stringify(call.input)}`;
}

/** The record of a run, if its changes can be taken back; otherwise why not. */
export async function reversibleRecord(auditId: string, audit: AuditLog): Promise<AuditRecord> {
  const record = await audit.get(auditId);
  if (!record) throw new UndoNotPossibleError(`No remediation run "${auditId}" in the audit table.`);
  if (record.undone) throw new UndoNotPossibleError(`${auditId} was already undone at ${record.undone.at}.`);
  if (!record.undo || record.undo.length === 0) {
    const why =
      record.outcome === 'applied' || record.outcome === 'already-fixed' || record.outcome === 'failed'
        ? `it changed nothing that can be restored (${record.remediation ?? record.ruleId}: ${record.summary})`
        : `it was not applied (outcome ${record.outcome}${record.reason ? `, ${record.reason}` : ''})`;
    throw new UndoNotPossibleError(`Nothing to undo for ${auditId}: ${why}.`);
  }
  return record;
}

/**
 * Restores what a run changed, from its audit record: the undo calls, latest change first. Calls
 * that find the old state already back (`InvalidPermission.Duplicate`) count as done. A failed undo
 * is not marked, so it can be run again once the cause is fixed.
 */
export async function undoRemediation(auditId: string, deps: UndoDependencies): Promise<UndoOutcome> {
  const record = await reversibleRecord(auditId, deps.audit);
  const steps: PlannedStep[] = record.undo!.map((call) => ({ description: describeCall(call), call, undo: [] }));
  const result = await applySteps(steps, deps.clients);
  if (result.outcome !== 'failed' && !(await deps.audit.markUndone(auditId, { at: deps.now().toISOString(), result }))) {
    throw new UndoNotPossibleError(`${auditId} was undone by someone else at the same time.`);
  }
  return { record, result };
}

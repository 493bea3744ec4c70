import type { Exemption } from '../exemption';
import type { RemediationMode } from '../settings';
import type { ApiCall, ApplyResult, RemediationPlan } from './plan';

/**
 * `in-progress` while a run holds the record; the rest are final. `planned` is a plan nobody ran
 * (dry-run, or one that only a person can carry out), `already-fixed` an apply that found every
 * change in place.
 */
export const AUDIT_OUTCOMES = ['in-progress', 'skipped', 'planned', 'applied', 'already-fixed', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Why a finding was not acted on. Stable strings: users filter on them in their own rules. */
export const SKIP_REASONS = [
  'mode-off',
  'mode-notify',
  'not-non-compliant',
  'no-remediation',
  'resource-gone',
  'now-compliant',
  'exempt',
  'circuit-breaker-open',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface UndoRecord {
  at: string;
  result: ApplyResult;
}

/** One remediation run on one finding: what was planned, skipped or done, and how to take it back. */
export interface AuditRecord {
  /** The delivering event's id for the Lambda (so a re-delivery finds the same record), `cli-…` for the CLI. */
  auditId: string;
  eventId: string;
  origin: 'lambda' | 'cli';
  ruleId: string;
  remediation?: string;
  resourceType: string;
  resourceId: string;
  accountId?: string;
  /** The account's name in Organizations (organization mode). */
  accountName?: string;
  region?: string;
  mode: RemediationMode;
  outcome: AuditOutcome;
  reason?: SkipReason;
  /** One sentence: what happened. */
  summary: string;
  exemption?: Exemption;
  /** The plan, with the exact calls and the before-state. */
  plan?: RemediationPlan;
  result?: ApplyResult;
  /** The calls that restore the before-state: what `driftwarden undo` runs. */
  undo?: ApiCall[];
  error?: string;
  /** Set on failures another delivery may fix; such a record can be claimed again. */
  retryable?: boolean;
  createdAt: string;
  updatedAt: string;
  undone?: UndoRecord;
}

/** Where remediation runs are recorded. The DynamoDB table in production; the same contract in tests. */
export interface AuditLog {
  /**
   * Creates the record for a run, unless one exists for the same id that is final or still running:
   * EventBridge delivers at least once, and only one delivery may act. `false` means "someone else has it".
   */
  claim(record: AuditRecord, now: Date): Promise<boolean>;
  /** Replaces the record's state (outcome, plan, result…) once the run knows it. */
  save(record: AuditRecord): Promise<void>;
  get(auditId: string): Promise<AuditRecord | undefined>;
  /** Records an undo, once: `false` when the record was undone already. */
  markUndone(auditId: string, undone: UndoRecord): Promise<boolean>;
  /**
   * Counts one automatic change in the clock hour of `now`; `false` when `limit` changes were made
   * in that hour already (the circuit breaker is open).
   */
  reserveChange(now: Date, limit: number): Promise<boolean>;
  /**
   * Takes the lease on `key` (one rule on one resource) for `holder` until `until`: `false` while
   * another holder's lease is live. Runs for the same resource take turns, so only the first fixes
   * it and the others re-read it fixed.
   */
  acquireLease(key: string, holder: string, now: Date, until: Date): Promise<boolean>;
  /** Gives the lease back; nothing happens when `holder` no longer holds it. */
  releaseLease(key: string, holder: string): Promise<void>;
}

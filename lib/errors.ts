import type { ZodError } from 'zod';

/**
 * Every error driftwarden raises on purpose. Callers tell them apart by class; `cause` keeps the
 * original error (an SDK exception, a JSON syntax error) for the logs.
 */
export class DriftwardenError extends Error {
  // Each class writes its name out rather than reading its own: the functions are minified, and the
  // logs and alerts name an error by `name` (test/errors.test.ts checks every class).
  override name = 'DriftwardenError';
}

/** A rule parameter (from `ruleParameters`, `--param` or a settings file) is missing or malformed. */
export class InvalidParameterError extends DriftwardenError {
  override name = 'InvalidParameterError';
}

/** No registered rule matches the name asked for (a Config rule name, `--param rule.x=…`). */
export class UnknownRuleError extends DriftwardenError {
  override name = 'UnknownRuleError';
}

/** A Lambda event (Config invocation, EventBridge) does not have the shape it must have. */
export class InvalidEventError extends DriftwardenError {
  override name = 'InvalidEventError';
}

/** A well-formed event the function must not act on: an account or region outside its scope (its own, or the organization's selection), another stage's rule, a type its rule does not cover. */
export class EventOutOfScopeError extends InvalidEventError {
  override name = 'EventOutOfScopeError';
}

/** A file given to the CLI is not something driftwarden can read (not JSON, unknown format). */
export class InputFormatError extends DriftwardenError {
  override name = 'InputFormatError';
}

/** AWS Config kept refusing some evaluations after every retry; the count is in the message. */
export class EvaluationDeliveryError extends DriftwardenError {
  override name = 'EvaluationDeliveryError';
}

/** A sweep reported what it could but skipped a step (a type it could not list, Config's verdicts it could not read); the message names each. */
export class SweepIncompleteError extends DriftwardenError {
  override name = 'SweepIncompleteError';
}

/** The invocation stopped starting work that could not finish before Lambda's limit; the message says what was left undone. */
export class DeadlineExceededError extends DriftwardenError {
  override name = 'DeadlineExceededError';
}

/**
 * A rule could not decide a verdict even with live lookups (a key AWS would not describe). AWS Config
 * takes no "unknown" verdict, so the invocation fails and the previous verdict stands.
 */
export class UndecidedVerdictError extends DriftwardenError {
  override name = 'UndecidedVerdictError';
}

/** Settings (deploy settings file, environment) are invalid. */
export class SettingsError extends DriftwardenError {
  override name = 'SettingsError';
}

/** An alert could not be delivered to a channel (Slack, email) after every retry. */
export class AlertDeliveryError extends DriftwardenError {
  override name = 'AlertDeliveryError';
}

/** A remediation's API calls failed; `retryable` says whether another delivery may succeed (throttling, 5xx). */
export class RemediationError extends DriftwardenError {
  override name = 'RemediationError';
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** No registered remediation has the name a rule refers to, or an audit record names one that is gone. */
export class UnknownRemediationError extends DriftwardenError {
  override name = 'UnknownRemediationError';
}

/** The audit table could not be read or written, or a record asked for does not exist. */
export class AuditStoreError extends DriftwardenError {
  override name = 'AuditStoreError';
}

/** `undo` was asked for a record that has nothing to restore (not applied, not reversible, already undone). */
export class UndoNotPossibleError extends DriftwardenError {
  override name = 'UndoNotPossibleError';
}

/** EventBridge did not accept a remediation event. */
export class EventPublishError extends DriftwardenError {
  override name = 'EventPublishError';
}

/** AWS credentials or region are missing: the message says how to provide them. */
export class MissingAwsConfigurationError extends DriftwardenError {
  override name = 'MissingAwsConfigurationError';
}

export const NO_REGION_MESSAGE = 'No AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile.';

/** The command line was used wrongly (conflicting options, a source it cannot scan). */
export class UsageError extends DriftwardenError {
  override name = 'UsageError';
}

/** One resource could not be read during a listing (e.g. a bucket policy denies GetBucketEncryption); `cause` is the AWS error. */
export class ResourceReadError extends DriftwardenError {
  override name = 'ResourceReadError';
}

/** A validation failure in one line: each problem as `path: message`, `whole` naming an empty path. */
export function describeIssues(error: ZodError, whole: string): string {
  return error.issues.map((issue) => `${issue.path.join('.') || whole}: ${issue.message}`).join('; ');
}

/** A member account's role could not be assumed (missing, or its trust does not allow the caller). */
export class MemberAccessError extends DriftwardenError {
  override name = 'MemberAccessError';
}

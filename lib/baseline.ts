import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Evaluation } from './evaluate';
import { describeIssues, InputFormatError } from './errors';
import { readTextFile } from './text-file';

/**
 * A finding's identity across runs: the rule and the resource (its Terraform address, else its
 * account, region, type and id) — never the annotation, which changes as the resource does.
 */
export function findingFingerprint(evaluation: Evaluation): string {
  const resource = evaluation.address ?? [evaluation.accountId ?? '', evaluation.region ?? '', evaluation.resourceType, evaluation.resourceId].join('/');
  return createHash('sha256').update(`${evaluation.ruleId}\n${resource}`).digest('hex').slice(0, 32);
}

const baselineSchema = z.object({
  tool: z.literal('driftwarden'),
  version: z.literal(1),
  createdAt: z.string(),
  findings: z.array(z.object({ fingerprint: z.string().regex(/^[0-9a-f]{32}$/), ruleId: z.string(), resource: z.string() }).passthrough()),
});

/** The file `--create-baseline` writes: fingerprints, with the rule and resource a person reviewing it reads. */
export function renderBaseline(findings: readonly Evaluation[], now: Date): string {
  const entries = findings
    .map((evaluation) => ({ fingerprint: findingFingerprint(evaluation), ruleId: evaluation.ruleId, resource: evaluation.address ?? evaluation.arn ?? evaluation.resourceId }))
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource) || a.fingerprint.localeCompare(b.fingerprint));
  return `${JSON.stringify({ tool: 'driftwarden', version: 1, createdAt: now.toISOString(), findings: entries }, null, 2)}\n`;
}

/** The fingerprints of a baseline file. */
export function readBaselineFile(file: string): ReadonlySet<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFile(file, 'baseline'));
  } catch (error) {
    if (error instanceof InputFormatError) throw error;
    throw new InputFormatError(`${file} is not JSON; create a baseline with --create-baseline ${file}.`, { cause: error });
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputFormatError(`${file} is not a driftwarden baseline (${describeIssues(parsed.error, '(top level)')}); create one with --create-baseline.`, { cause: parsed.error });
  }
  return new Set(parsed.data.findings.map((finding) => finding.fingerprint));
}

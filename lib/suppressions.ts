import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Evaluation } from './evaluate';
import { describeIssues, InputFormatError } from './errors';
import { exemptionInForce, isReadableExemptionEnd, type Exemption } from './exemption';
import { globMatches, readTextFile } from './text-file';

/**
 * A suppressions file exempts findings without touching the resource: each entry names a resource
 * (its id, name, ARN or Terraform address) and a rule (id or glob), with a reason and an optional end.
 */
const suppressionsSchema = z
  .object({
    suppressions: z.array(
      z
        .object({
          resource: z.string().min(1),
          rule: z.string().min(1).default('*'),
          reason: z.string().min(1),
          // YAML reads an unquoted 2026-12-31 as a date; the exemption tag's format is the ISO text.
          expires: z
            .union([z.string(), z.date().transform((date) => date.toISOString().slice(0, 10))])
            .refine(isReadableExemptionEnd, 'expected an ISO date (2026-12-31) or a date-time with a zone')
            .optional(),
        })
        .strict(),
    ),
  })
  .strict();

export type Suppression = z.output<typeof suppressionsSchema>['suppressions'][number];

export function parseSuppressions(raw: unknown, origin: string): Suppression[] {
  const parsed = suppressionsSchema.safeParse(raw);
  if (!parsed.success) throw new InputFormatError(`${origin}: ${describeIssues(parsed.error, '(top level)')}`, { cause: parsed.error });
  return parsed.data.suppressions;
}

export function readSuppressionsFile(file: string, text: string = readTextFile(file, 'suppressions file')): Suppression[] {
  let raw: unknown;
  try {
    raw = parseYaml(text, { customTags: ['timestamp'] });
  } catch (error) {
    throw new InputFormatError(`${file} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return parseSuppressions(raw, file);
}

/** The suppression in force for this evaluation, as an exemption (what the tag would give). */
export function suppressionFor(evaluation: Evaluation, suppressions: readonly Suppression[], now: Date): Exemption | undefined {
  const names = [evaluation.resourceId, evaluation.resourceName, evaluation.arn, evaluation.address].filter((name): name is string => name !== undefined);
  for (const suppression of suppressions) {
    if (!globMatches(suppression.rule, evaluation.ruleId) || !names.some((name) => globMatches(suppression.resource, name))) continue;
    const exemption = exemptionInForce(suppression.reason, suppression.expires, now);
    if (exemption) return exemption;
  }
  return undefined;
}

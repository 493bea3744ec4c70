import { z } from 'zod';

/**
 * Parameter formats shared by rules. AWS Config passes every `InputParameters` value as a string,
 * so each format accepts the string form the managed rules use ("80,443,1020-1025", "true", "90").
 */

export interface PortRange {
  from: number;
  to: number;
}

const PORT_ITEM = /^(\d{1,5})(?:-(\d{1,5}))?$/;

function parsePortList(value: string, ctx: z.RefinementCtx): PortRange[] {
  const ranges: PortRange[] = [];
  for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = PORT_ITEM.exec(item);
    const from = match ? Number(match[1]) : NaN;
    const to = match?.[2] !== undefined ? Number(match[2]) : from;
    if (!match || from > 65535 || to > 65535 || from > to) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${item}" is not a port or port range (expected e.g. "80,443,1020-1025")`,
      });
      return z.NEVER;
    }
    ranges.push({ from, to });
  }
  return ranges;
}

/** A comma-separated list of ports and ranges, the format of `vpc-sg-open-only-to-authorized-ports`. */
export const portList = z
  .union([z.string(), z.number().int()])
  .transform((value, ctx) => parsePortList(String(value), ctx));

export const booleanString = z
  .union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])])
  .transform((value) => value === true || String(value).toLowerCase() === 'true');

export const positiveIntegerString = z
  .union([z.number(), z.string().regex(/^\s*\d+\s*$/, 'expected a whole number')])
  .transform(Number)
  .pipe(z.number().int().positive());

/** A comma-separated list of KMS key ARNs (or alias ARNs). */
export const keyArnList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((arn) => arn.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^arn:aws[\w-]*:kms:/, 'expected a KMS key or alias ARN')));

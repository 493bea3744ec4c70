import { z } from 'zod';
import { describeIssues, SettingsError } from './errors';
import { organizationSettings } from './organization/settings';
import { parseRuleParameters, SEVERITIES, type AnyRule } from './rule';

export const REMEDIATION_MODES = ['off', 'notify', 'dry-run', 'auto'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

const ruleSettings = z
  .object({
    enabled: z.boolean().default(true),
    /** The rule's parameters, exactly as its Config rule's InputParameters (managed-rule names). */
    parameters: z.record(z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).default({}),
    /** What the remediation Lambda does with this rule's findings; `dry-run` plans and changes nothing. */
    mode: z.enum(REMEDIATION_MODES).default('dry-run'),
  })
  .strict();

const severity = z.enum(SEVERITIES);

/** Where alerts go, what reaches each channel, and how floods are held back. */
const notificationSettings = z
  .object({
    email: z
      .object({
        /** Each address gets an SNS email subscription, confirmed by its owner before mail flows. */
        addresses: z.array(z.string().email()).default([]),
        minimumSeverity: severity.default('medium'),
      })
      .strict()
      .default({}),
    slack: z
      .object({
        /** Secrets Manager secret holding the incoming-webhook URL; the URL itself never appears in settings. */
        webhookSecretArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN')
          .optional(),
        minimumSeverity: severity.default('low'),
      })
      .strict()
      .default({}),
    digest: z
      .object({
        /** More alerts than this for one channel in one batch are sent as a single digest. */
        threshold: z.number().int().min(1).default(10),
        /** How many resources a digest lists by name; the rest are counted. */
        size: z.number().int().min(1).max(40).default(20),
      })
      .strict()
      .default({}),
    /** How long a delivered event or an unchanged finding is remembered and not announced again. */
    dedupWindowHours: z.number().positive().max(24 * 30).default(24),
  })
  .strict();

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const kmsKeyArn = z.string().regex(/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:(key|alias)\//, 'expected a KMS key or alias ARN');

const remediationSettings = z
  .object({
    /** Automatic changes allowed per clock hour (UTC); one more opens the circuit breaker until the hour ends. */
    maxChangesPerHour: z.number().int().positive().default(10),
    /** A customer managed key for S3 default encryption, SNS topics and log groups; else SSE-S3 and the stack's key. */
    kmsKeyArn: kmsKeyArn.optional(),
    /** Rotation function for secrets that have none and are not managed by another service. */
    rotationLambdaArn: z.string().regex(/^arn:aws[\w-]*:lambda:/, 'expected a Lambda function ARN').optional(),
    flowLogs: z
      .object({
        /** Flow logs go to `<logGroupPrefix>/<vpc-id>` unless `s3BucketArn` is set. */
        logGroupPrefix: z.string().regex(/^\/[\w/.#-]+$/, 'expected a log group name prefix such as /driftwarden/vpc-flow-logs').default('/driftwarden/vpc-flow-logs'),
        retentionDays: z
          .number()
          .int()
          .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `expected one of ${LOG_RETENTION_DAYS.join(', ')}`)
          .default(365),
        s3BucketArn: z.string().regex(/^arn:aws[\w-]*:s3:::[\w.-]+(\/.*)?$/, 'expected an S3 bucket ARN').optional(),
        /** How long to wait for a new flow log to become ACTIVE and deliver before calling it a failure. */
        verifySeconds: z.number().int().min(0).max(300).default(60),
      })
      .strict()
      .default({}),
  })
  .strict();

/**
 * The settings a deployment uses (`settings/<stage>.yml`, else `settings/default.yml`) and the CLI
 * reads with `--config`: one file, one schema.
 */
export const settingsSchema = z
  .object({
    rules: z.record(ruleSettings).default({}),
    /** How often periodic rules sweep the account (AWS Config's MaximumExecutionFrequency). */
    periodicFrequency: z
      .enum(['One_Hour', 'Three_Hours', 'Six_Hours', 'Twelve_Hours', 'TwentyFour_Hours'])
      .default('TwentyFour_Hours'),
    /** How the remediation Lambda acts: limits and destinations shared by every remediation. */
    remediation: remediationSettings.default({}),
    /**
     * Periodic sweeps report only verdicts that differ from what AWS Config already holds (plus
     * deleted resources); Config keeps a rule's results until they are replaced or deleted.
     */
    costAwareReporting: z.boolean().default(true),
    notifications: notificationSettings.default({}),
    /** What `driftwarden scan` runs and reads by default; its flags of the same names override these. */
    scan: z
      .object({
        rule: z.array(z.string()).optional(),
        skipRule: z.array(z.string()).optional(),
        severity: severity.optional(),
        suppressions: z.string().optional(),
      })
      .strict()
      .default({}),
    /** Organization mode (docs/organizations.md); absent, driftwarden watches the account it is deployed in. */
    organization: organizationSettings.optional(),
  })
  .strict();

export type Settings = z.output<typeof settingsSchema>;
export type RuleSettings = z.output<typeof ruleSettings>;
export type NotificationSettings = z.output<typeof notificationSettings>;
export type RemediationSettings = z.output<typeof remediationSettings>;

/** Validates settings against the schema and every rule's own parameter schema. */
export function parseSettings(raw: unknown, rules: readonly AnyRule[], origin = 'settings'): Settings {
  const parsed = settingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new SettingsError(`${origin}: ${describeIssues(parsed.error, '(top level)')}`, { cause: parsed.error });
  }
  for (const [ruleId, settings] of Object.entries(parsed.data.rules)) {
    // Settings are looked up by exact rule id, so a Config rule name here would be accepted and then ignored.
    const rule = rules.find((candidate) => candidate.id === ruleId);
    if (!rule) {
      throw new SettingsError(`${origin}: rules.${ruleId}: no such rule (known rules: ${rules.map((known) => known.id).join(', ')})`);
    }
    try {
      parseRuleParameters(rule, settings.parameters);
    } catch (error) {
      throw new SettingsError(`${origin}: rules.${ruleId}: ${(error as Error).message}`, { cause: error });
    }
  }
  return parsed.data;
}

/** The settings a deployed function runs with: `DRIFTWARDEN_SETTINGS`, written at package time. */
export function deployedSettings(rules: readonly AnyRule[], environment: NodeJS.ProcessEnv = process.env): Settings {
  const text = environment.DRIFTWARDEN_SETTINGS;
  if (text === undefined || text === '') return parseSettings({}, rules, 'DRIFTWARDEN_SETTINGS');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SettingsError('DRIFTWARDEN_SETTINGS is not valid JSON; redeploy so it is written from settings/<stage>.yml', { cause: error });
  }
  return parseSettings(raw, rules, 'DRIFTWARDEN_SETTINGS');
}

export function ruleSettingsFor(settings: Settings, ruleId: string): RuleSettings {
  return settings.rules[ruleId] ?? ruleSettings.parse({});
}

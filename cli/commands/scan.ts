import { Option, type Command } from 'commander';
import { readBaselineFile, renderBaseline } from '../../lib/baseline';
import { UsageError } from '../../lib/errors';
import { OUTPUT_FORMATS, type OutputFormat } from '../../lib/report/common';
import { formatForFile, renderReport, type RenderOptions } from '../../lib/report/index';
import { SEVERITIES, type Severity } from '../../lib/rule';
import { selectRules } from '../../lib/rule-selection';
import { failsAt, isFinding, parseParameterOverride, scan } from '../../lib/scan';
import type { SourceResult } from '../../lib/sources/source';
import { readSuppressionsFile } from '../../lib/suppressions';
import { writeTextFile } from '../../lib/text-file';
import { RULES } from '../../rules';
import { homepage, version } from '../../package.json';
import type { CliContext } from '../context';
import { readFileSource, warnListingErrors } from '../input';
import { loadSettings } from '../settings';

interface ScanFlags {
  snapshot?: string;
  terraform?: string;
  demo?: boolean;
  profile?: string;
  region?: string[];
  concurrency: number;
  config?: string;
  param?: string[];
  rule?: string[];
  skipRule?: string[];
  severity?: Severity;
  suppressions?: string;
  baseline?: string;
  createBaseline?: string;
  format: OutputFormat;
  output?: string[];
  accountId?: string;
  failOn?: Severity | 'none';
  all?: boolean;
}

/** One report to write: a format and a file, or stdout. */
interface Destination {
  format: OutputFormat;
  file?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`--concurrency ${value}: expected a whole number of at least 1`);
  return number;
}

/** `--output FORMAT=FILE`, or `--output FILE` with the format its extension implies. */
export function parseDestination(text: string): Destination {
  const match = /^([a-z]+)=(.+)$/.exec(text);
  if (match && (OUTPUT_FORMATS as readonly string[]).includes(match[1]!)) return { format: match[1] as OutputFormat, file: match[2]! };
  if (match && !formatForFile(text)) throw new UsageError(`--output ${text}: unknown format "${match[1]}" (formats: ${OUTPUT_FORMATS.join(', ')})`);
  const format = formatForFile(text);
  if (!format) throw new UsageError(`--output ${text}: cannot tell the format from the file name; write FORMAT=FILE (formats: ${OUTPUT_FORMATS.join(', ')})`);
  return { format, file: text };
}

function regionsOf(flags: ScanFlags): string[] {
  return (flags.region ?? []).flatMap((region) => region.split(',')).map((region) => region.trim()).filter(Boolean);
}

async function liveSource(flags: ScanFlags, context: CliContext, rules: typeof RULES): Promise<SourceResult> {
  if (!context.liveCollector) {
    throw new UsageError('This build of driftwarden cannot scan a live account; use --snapshot FILE, --terraform FILE or --demo.');
  }
  // A progress bar only where a person watches stderr; the bar module loads only then.
  const bar = context.stderr.isTTY
    ? new (await import('cli-progress')).SingleBar({ format: 'Listing {bar} {value}/{total} {label}', stream: context.stderr as unknown as NodeJS.WritableStream, clearOnComplete: true, hideCursor: true })
    : undefined;
  let started = false;
  let collection;
  try {
    collection = await context.liveCollector.collect({
      rules,
      regions: regionsOf(flags),
      ...(flags.profile !== undefined && { profile: flags.profile }),
      concurrency: flags.concurrency,
      onProgress: bar
        ? ({ done, total, label }) => {
            if (!started) bar.start(total, 0, { label: '' });
            started = true;
            bar.setTotal(total);
            bar.update(done, { label: label ?? '' });
          }
        : undefined,
    });
  } finally {
    // The bar is cleared before anything else is written, so no warning shares its line.
    if (started) bar?.stop();
  }
  warnListingErrors(collection.errors, context.stderr);
  return { origin: { kind: 'live' }, resources: collection.resources, lookups: collection.lookups, skippedTypes: {}, destroyed: 0 };
}

export async function runScan(flags: ScanFlags, context: CliContext): Promise<void> {
  if ([flags.snapshot, flags.terraform, flags.demo].filter((source) => source !== undefined).length > 1) {
    throw new UsageError('Give one source: --snapshot FILE, --terraform FILE or --demo (or none, for the live account).');
  }
  if ([flags.snapshot, flags.terraform].filter((file) => file === '-').length > 0 && flags.suppressions === '-') {
    throw new UsageError('Standard input can feed one file only: the source or --suppressions, not both.');
  }
  // Validate everything given before reading the source: a typo fails fast.
  const settings = loadSettings(flags.config);
  const rules = selectRules(RULES, {
    rule: flags.rule ?? settings.scan.rule,
    skipRule: flags.skipRule ?? settings.scan.skipRule,
    ...((flags.severity ?? settings.scan.severity) !== undefined && { severity: flags.severity ?? settings.scan.severity }),
  });
  if (rules.length === 0) throw new UsageError('The rule selection leaves no rule to run; see `driftwarden rules`.');
  const overrides = (flags.param ?? []).map((text) => parseParameterOverride(text, RULES));
  const suppressionsFile = flags.suppressions ?? settings.scan.suppressions;
  const suppressions = suppressionsFile !== undefined ? readSuppressionsFile(suppressionsFile) : undefined;
  const baseline = flags.baseline !== undefined ? readBaselineFile(flags.baseline) : undefined;
  const destinations = (flags.output ?? []).map(parseDestination);
  const source = readFileSource(flags) ?? (await liveSource(flags, context, rules));
  const now = context.now();
  const report = scan(source, { rules, settings, overrides, now, ...(suppressions && { suppressions }), ...(baseline && { baseline }) });
  const colour = context.stdout.isTTY === true && !process.env.NO_COLOR;
  const options: RenderOptions = {
    rules,
    toolVersion: version,
    informationUri: homepage,
    generatedAt: now,
    color: false,
    all: flags.all === true,
    ...(flags.accountId !== undefined && { accountId: flags.accountId }),
    ...((regionsOf(flags)[0] ?? process.env.AWS_REGION) !== undefined && { region: regionsOf(flags)[0] ?? process.env.AWS_REGION }),
  };
  for (const destination of destinations) {
    writeTextFile(destination.file!, renderReport(destination.format, report, options));
    context.stderr.write(`driftwarden: wrote the ${destination.format} report to ${destination.file} (${report.summary.nonCompliant} findings).\n`);
  }
  if (flags.createBaseline !== undefined) {
    const findings = report.evaluations.filter((evaluation) => isFinding(evaluation) || evaluation.baselined === true);
    writeTextFile(flags.createBaseline, renderBaseline(findings, now));
    context.stderr.write(`driftwarden: recorded ${findings.length} finding${findings.length === 1 ? '' : 's'} in the baseline ${flags.createBaseline}.\n`);
  }
  context.stdout.write(renderReport(flags.format, report, { ...options, color: colour && flags.format === 'table' }));
  // The demo is informational, and a new baseline accepts today's findings: they fail only when asked to.
  const failOn = flags.failOn ?? (flags.demo || flags.createBaseline !== undefined ? 'none' : 'high');
  if (failsAt(report.summary, failOn)) context.exitCode = 1;
}

export function registerScanCommand(program: Command, context: CliContext): void {
  program
    .command('scan')
    .description('Evaluate the rules against a live account (default), a Config snapshot, a Terraform plan or state, or the demo account.')
    .option('--snapshot <file>', 'AWS Config items: batch-get-resource-config or get-resource-config-history output, an array, or one item (- reads standard input)')
    .option('--terraform <file>', 'the JSON of `terraform show -json` for a plan or a state (- reads standard input)')
    .option('--demo', 'the embedded sample account (exits 0 unless --fail-on is given)')
    .option('--profile <name>', 'live scan: AWS profile from the shared config files')
    .option('--region <region>', 'live scan: region to scan; repeat or comma-separate for several (asff: the region of findings that name none)', collect)
    .addOption(new Option('--concurrency <n>', 'live scan: AWS calls in flight at once').default(8).argParser(positiveInteger))
    .option('--config <file>', 'settings file (JSON or YAML), the same the deployment uses (default: .driftwarden.yml in this folder or at the repository root)')
    .option('--param <rule.name=value>', 'rule parameter, e.g. public-app-ports.authorizedTcpPorts=80,443,8443 (repeatable)', collect)
    .option('--rule <id>', 'run only this rule; an id or a glob such as "encryption-*" (repeatable)', collect)
    .option('--skip-rule <id>', 'do not run this rule; an id or a glob (repeatable)', collect)
    .addOption(new Option('--severity <severity>', 'run only rules of this severity or above').choices(SEVERITIES))
    .option('--suppressions <file>', 'YAML or JSON list of { resource, rule, reason, expires }: exempts those findings like the exemption tag')
    .option('--baseline <file>', 'report only findings that are not in this baseline')
    .option('--create-baseline <file>', "record this scan's findings as the baseline (exits 0 unless --fail-on is given)")
    .addOption(new Option('--format <format>', 'format printed on standard output').choices(OUTPUT_FORMATS).default('table'))
    .option('--output <[format=]file>', 'also write a report to a file: FORMAT=FILE, or FILE with the format its extension implies (repeatable)', collect)
    .option('--account-id <id>', 'asff: the AWS account of findings whose source names none (Terraform)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high; none with --demo)').choices([...SEVERITIES, 'none']))
    .option('--all', 'table: also list compliant, exempt and not-applicable evaluations')
    .action(async (flags: ScanFlags) => runScan(flags, context));
}

import { readBaselineFile, renderBaseline } from '../../lib/baseline';
import { UsageError } from '../../lib/errors';
import { accountsOf } from '../../lib/organization/report';
import { OUTPUT_FORMATS, type OutputFormat } from '../../lib/report/formats';
import { formatForFile, renderReport, type RenderOptions } from '../../lib/report/index';
import { selectRules } from '../../lib/rule-selection';
import { failsAt, isFinding, parseParameterOverride, scan, type ScanOptions, type ScanReport } from '../../lib/scan';
import type { SourceResult } from '../../lib/sources/source';
import { readSuppressionsFile } from '../../lib/suppressions';
import { writeTextFile } from '../../lib/text-file';
import { RULES } from '../../rules';
import { homepage, version } from '../../package.json';
import type { ScanFlags } from '../commands/scan';
import type { CliContext } from '../context';
import { isTerraformSourcePath, readFileSource, warnListingErrors } from '../input';
import { loadSettings } from '../settings';

/** One report to write: a format and a file, or stdout. */
interface Destination {
  format: OutputFormat;
  file?: string;
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
  return {
    origin: { kind: 'live' },
    resources: collection.resources,
    lookups: collection.lookups,
    skippedTypes: {},
    destroyed: 0,
    incomplete: collection.errors.map((error) => ({ resourceType: error.resourceType, region: error.region, reason: error.message })),
    nothingRead: collection.errors.length > 0 && collection.listed === 0,
  };
}

async function readSource(flags: ScanFlags, context: CliContext, rules: typeof RULES): Promise<SourceResult> {
  const sourceFlags = [flags.var, flags.varFile].some((values) => values !== undefined);
  if (flags.terraform !== undefined && flags.terraform !== '-' && isTerraformSourcePath(flags.terraform)) {
    if (flags.sourceRoot !== undefined) throw new UsageError('--source-root is for a plan or state; a Terraform folder is its own source root.');
    // Loaded only for a source scan: the parser is a WebAssembly module the other scans never need.
    const { readTerraformSource } = await import('../../lib/sources/terraform-source');
    return readTerraformSource(flags.terraform, { varFiles: flags.varFile ?? [], vars: flags.var ?? [] });
  }
  if (sourceFlags) throw new UsageError('--var and --var-file apply to a Terraform folder or .tf file given to --terraform.');
  if (flags.aggregator !== undefined) {
    if (flags.sourceRoot !== undefined) throw new UsageError('--source-root applies to a plan or state given to --terraform.');
    // The Config client loads only for an aggregator scan.
    return (await import('./scan-aggregator')).readAggregatorFromFlags(flags.aggregator, flags, rules);
  }
  const source = readFileSource(flags) ?? (await liveSource(flags, context, rules));
  if (flags.sourceRoot === undefined) return source;
  if (flags.terraform === undefined) throw new UsageError('--source-root applies to a plan or state given to --terraform.');
  const { locateInSource } = await import('../../lib/sources/terraform-source');
  return locateInSource(source, flags.sourceRoot);
}

export async function runScan(flags: ScanFlags, context: CliContext): Promise<void> {
  if ([flags.snapshot, flags.terraform, flags.demo, flags.org, flags.aggregator].filter((source) => source !== undefined).length > 1) {
    throw new UsageError('Give one source: --snapshot FILE, --terraform FILE, --demo, --org or --aggregator NAME (or none, for the live account).');
  }
  if ([flags.snapshot, flags.terraform].filter((file) => file === '-').length > 0 && flags.suppressions === '-') {
    throw new UsageError('Standard input can feed one file only: the source or --suppressions, not both.');
  }
  // Validate everything given before reading the source: a typo fails fast.
  const settings = await loadSettings(flags.config);
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
  const now = context.now();
  const scanOptions: ScanOptions = { rules, settings, overrides, now, ...(suppressions && { suppressions }), ...(baseline && { baseline }) };
  const source = flags.org ? undefined : await readSource(flags, context, rules);
  const report: ScanReport = source
    ? scan(source, scanOptions)
    : // The organization's SDK clients load only for an organization scan.
      await (await import('./scan-organization')).scanOrganizationFromFlags(flags, scanOptions, context);
  const colour = context.stdout.isTTY === true && !process.env.NO_COLOR;
  // ASFF needs a region for findings whose source names none (Terraform).
  const findingRegion = regionsOf(flags)[0] ?? process.env.AWS_REGION;
  const options: RenderOptions = {
    rules,
    toolVersion: version,
    informationUri: homepage,
    generatedAt: now,
    color: false,
    all: flags.all === true,
    ...(flags.accountId !== undefined && { accountId: flags.accountId }),
    ...(findingRegion !== undefined && { region: findingRegion }),
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
  if (failsAt(report, failOn, flags.failOnUnknown === true)) context.exitCode = 1;
  // What was not read was not judged: an incomplete scan is not a pass, and one that read nothing never is.
  if (source?.nothingRead === true || accountsOf(report)?.every((account) => !account.scanned) === true) {
    context.stderr.write('driftwarden: nothing could be read: no resource type or account could be read; the report above judges nothing.\n');
    context.exitCode = 2;
  } else if (report.summary.incomplete.length > 0 && !flags.allowPartial) {
    context.stderr.write(`driftwarden: the scan is incomplete: ${report.summary.incomplete.length} part(s) of the input could not be read (see the report); pass --allow-partial to accept it.\n`);
    context.exitCode = 2;
  }
}

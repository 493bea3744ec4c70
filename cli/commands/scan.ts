import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { DriftwardenError, UsageError } from '../../lib/errors';
import { OUTPUT_FORMATS, type OutputFormat } from '../../lib/report/common';
import { renderHtml } from '../../lib/report/html';
import { renderJson } from '../../lib/report/json';
import { renderSarif } from '../../lib/report/sarif';
import { renderTable } from '../../lib/report/table';
import { SEVERITIES, type Severity } from '../../lib/rule';
import { failsAt, parseParameterOverride, scan, type ScanReport } from '../../lib/scan';
import { parseSettings } from '../../lib/settings';
import { readSettingsFile } from '../../lib/settings-file';
import type { SourceResult } from '../../lib/sources/source';
import { RULES } from '../../rules';
import { version } from '../../package.json';
import type { CliContext } from '../context';
import { readFileSource, warnListingErrors } from '../input';
import { incompleteExit, scanOrganizationFromFlags, type OrganizationFlags } from './scan-organization';

interface ScanFlags extends OrganizationFlags {
  snapshot?: string;
  terraform?: string;
  demo?: boolean;
  profile?: string;
  region?: string[];
  concurrency: number;
  config?: string;
  param?: string[];
  format: OutputFormat;
  output?: string;
  failOn?: Severity | 'none';
  all?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`--concurrency ${value}: expected a whole number of at least 1`);
  return number;
}

async function liveSource(flags: ScanFlags, context: CliContext): Promise<SourceResult> {
  if (!context.liveCollector) {
    throw new UsageError('This build of driftwarden cannot scan a live account; use --snapshot FILE, --terraform FILE or --demo.');
  }
  const regions = (flags.region ?? []).flatMap((region) => region.split(',')).map((region) => region.trim()).filter(Boolean);
  // A progress bar only where a person watches; piped output stays clean.
  const bar = context.stdout.isTTY ? new SingleBar({ format: 'Listing {bar} {value}/{total} {label}', stream: context.stderr as unknown as NodeJS.WritableStream, clearOnComplete: true, hideCursor: true }) : undefined;
  let started = false;
  try {
    const collection = await context.liveCollector.collect({
      rules: RULES,
      regions,
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
    warnListingErrors(collection.errors, context.stderr);
    return { origin: { kind: 'live' }, resources: collection.resources, lookups: collection.lookups, skippedTypes: {}, destroyed: 0 };
  } finally {
    if (started) bar?.stop();
  }
}

async function readSource(flags: ScanFlags, context: CliContext): Promise<SourceResult> {
  return readFileSource(flags) ?? liveSource(flags, context);
}

function render(report: ScanReport, flags: ScanFlags, context: CliContext, toTerminal: boolean): string {
  switch (flags.format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, RULES, version);
    case 'html':
      return renderHtml(report, context.now());
    case 'table':
      return renderTable(report, { color: toTerminal, all: flags.all === true });
  }
}

export async function runScan(flags: ScanFlags, context: CliContext): Promise<void> {
  if ([flags.snapshot, flags.terraform, flags.demo, flags.org].filter((source) => source !== undefined).length > 1) {
    throw new UsageError('Give one source: --snapshot FILE, --terraform FILE, --demo or --org (or none, for the live account).');
  }
  // Validate settings and parameters before reading anything: a typo fails fast.
  const settings = flags.config !== undefined ? readSettingsFile(flags.config, RULES) : parseSettings({}, RULES);
  const overrides = (flags.param ?? []).map((text) => parseParameterOverride(text, RULES));
  const report = flags.org
    ? await scanOrganizationFromFlags(flags, settings, overrides, context)
    : scan(await readSource(flags, context), { rules: RULES, settings, overrides, now: context.now() });
  const toTerminal = flags.output === undefined && context.stdout.isTTY === true;
  const text = render(report, flags, context, toTerminal);
  if (flags.output !== undefined) {
    try {
      writeFileSync(flags.output, text);
    } catch (error) {
      throw new DriftwardenError(`Cannot write ${flags.output}: ${(error as NodeJS.ErrnoException).code ?? error}.`, { cause: error });
    }
    context.stderr.write(`driftwarden: wrote the ${flags.format} report to ${flags.output} (${report.summary.nonCompliant} findings).\n`);
  } else {
    context.stdout.write(text);
  }
  // The demo is informational: it fails only when asked to.
  const failOn = flags.failOn ?? (flags.demo ? 'none' : 'high');
  if (incompleteExit(report, flags, context)) context.exitCode = 2;
  else if (failsAt(report.summary, failOn)) context.exitCode = 1;
}

export function registerScanCommand(program: Command, context: CliContext): void {
  program
    .command('scan')
    .description('Evaluate every rule against a live account (default), a Config snapshot, a Terraform plan or state, or the demo account.')
    .option('--snapshot <file>', 'AWS Config items: batch-get-resource-config or get-resource-config-history output, an array, or one item')
    .option('--terraform <file>', 'the JSON of `terraform show -json` for a plan or a state')
    .option('--demo', 'the embedded sample account (exits 0 unless --fail-on is given)')
    .option('--profile <name>', 'live scan: AWS profile from the shared config files')
    .option('--region <region>', 'live scan: region to scan; repeat or comma-separate for several', collect)
    .addOption(new Option('--concurrency <n>', 'live scan: AWS calls in flight at once (per account with --org)').default(8).argParser(positiveInteger))
    .option('--org', 'every account of the AWS Organization, through --role-name in each (run with management or delegated-administrator credentials)')
    .option('--role-name <name>', 'organization scan: the role to assume in every account')
    .option('--ou <id>', 'organization scan: only accounts under this OU or root (repeatable; child OUs included)', collect)
    .option('--account <id>', 'organization scan: only this account (repeatable or comma-separated)', collect)
    .option('--exclude-account <id>', 'organization scan: leave this account out (repeatable or comma-separated)', collect)
    .addOption(new Option('--account-concurrency <n>', 'organization scan: accounts scanned at once').default(16).argParser(positiveInteger))
    .option('--allow-partial', 'organization scan: exit by the findings even when some accounts or types could not be read')
    .option('--config <file>', 'settings file (JSON or YAML), the same the deployment uses')
    .option('--param <rule.name=value>', 'rule parameter, e.g. public-app-ports.authorizedTcpPorts=80,443,8443 (repeatable)', collect)
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high; none with --demo)').choices([...SEVERITIES, 'none']))
    .option('--all', 'table: also list compliant, exempt and not-applicable evaluations')
    .action(async (flags: ScanFlags) => runScan(flags, context));
}

import { writeFileSync } from 'node:fs';
import { DriftwardenError, UsageError } from '../../lib/errors';
import { renderHtml } from '../../lib/report/html';
import { renderJson } from '../../lib/report/json';
import { renderSarif } from '../../lib/report/sarif';
import { renderTable } from '../../lib/report/table';
import { failsAt, parseParameterOverride, scan, type ScanReport } from '../../lib/scan';
import type { SourceResult } from '../../lib/sources/source';
import { RULES } from '../../rules';
import { version } from '../../package.json';
import type { ScanFlags } from '../commands/scan';
import type { CliContext } from '../context';
import { commandSettings } from '../settings';
import { isTerraformSourcePath, readFileSource, warnListingErrors } from '../input';

async function liveSource(flags: ScanFlags, context: CliContext): Promise<SourceResult> {
  if (!context.liveCollector) {
    throw new UsageError('This build of driftwarden cannot scan a live account; use --snapshot FILE, --terraform FILE or --demo.');
  }
  const regions = (flags.region ?? []).flatMap((region) => region.split(',')).map((region) => region.trim()).filter(Boolean);
  // A progress bar only where a person watches; piped output stays clean.
  const bar = context.stdout.isTTY ? new (await import('cli-progress')).SingleBar({ format: 'Listing {bar} {value}/{total} {label}', stream: context.stderr as unknown as NodeJS.WritableStream, clearOnComplete: true, hideCursor: true }) : undefined;
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
  const sourceFlags = [flags.var, flags.varFile].some((values) => values !== undefined);
  if (flags.terraform !== undefined && isTerraformSourcePath(flags.terraform)) {
    if (flags.sourceRoot !== undefined) throw new UsageError('--source-root is for a plan or state; a Terraform folder is its own source root.');
    // Loaded only for a source scan: the parser is a WebAssembly module the other scans never need.
    const { readTerraformSource } = await import('../../lib/sources/terraform-source');
    return readTerraformSource(flags.terraform, { varFiles: flags.varFile ?? [], vars: flags.var ?? [] });
  }
  if (sourceFlags) throw new UsageError('--var and --var-file apply to a Terraform folder or .tf file given to --terraform.');
  const source = readFileSource(flags) ?? (await liveSource(flags, context));
  if (flags.sourceRoot === undefined) return source;
  if (flags.terraform === undefined) throw new UsageError('--source-root applies to a plan or state given to --terraform.');
  const { locateInSource } = await import('../../lib/sources/terraform-source');
  return locateInSource(source, flags.sourceRoot);
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
  if ([flags.snapshot, flags.terraform, flags.demo].filter((source) => source !== undefined).length > 1) {
    throw new UsageError('Give one source: --snapshot FILE, --terraform FILE or --demo (or none, for the live account).');
  }
  // Validate settings and parameters before reading anything: a typo fails fast.
  const settings = await commandSettings(flags.config);
  const overrides = (flags.param ?? []).map((text) => parseParameterOverride(text, RULES));
  const source = await readSource(flags, context);
  const report = scan(source, { rules: RULES, settings, overrides, now: context.now() });
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
  if (failsAt(report.summary, failOn)) context.exitCode = 1;
  // What was not read was not judged: an incomplete scan is not a pass.
  for (const missing of report.summary.incomplete) context.stderr.write(`driftwarden: warning: not read: ${missing.reason}.\n`);
  if (report.summary.incomplete.length > 0 && !flags.allowPartial) context.exitCode = 2;
}


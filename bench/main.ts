/**
 * `npm run bench [-- --json]`: every figure of issue 6 measured in one run and printed as one table
 * (or, with --json, one JSON object holding the same figures and the table's rows).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { simulateBilling, type BillingResult } from './billing';
import { measureEvaluateRates, type EvaluateRate } from './evaluate-rate';
import { measurePackaging, type PackagingResult } from './packaging';
import type { PlanWorkerResult } from './plan-worker';
import { runPlanScan } from './plan-scan';
import { runSourceScan } from './source-scan';
import { round } from './stats';
import { MB_PER_VCPU, runSweeps, type SweepCase, type SweepResult } from './sweep';

const PROJECT_DIR = resolve(__dirname, '..', '..');
const WORK_DIR = join(PROJECT_DIR, '.bench');
const BUILD_DIR = __dirname;
const LOAD_RUNS = 10;
const LATENCY_MS = 20;
const SWEEP_SIZES = [1_000, 10_000];
const SWEEP_RUNS = 3;
/** The issue's goals: scan time ÷ read+parse time, and (at 100,000) peak RSS ÷ a parse-only process's. */
const PLAN_GOALS = new Map([
  [10_000, { time: 2.5 }],
  [100_000, { time: 2.2, memory: 1.6 }],
]);
const SOURCE_SIZE = { resources: 10_000, files: 500 };

export interface Row {
  section: string;
  subject: string;
  figure: string;
  measured: string;
  target: string;
  /** Whether the measured figure meets the target; null where the figure has no target. */
  met: boolean | null;
}

function machine() {
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** The 1-minute load average when the run started: other work on the machine slows every figure. */
    loadAverage: round(loadavg()[0]!, 2),
  };
}

const ms = (value: number) => `${round(value, value < 10 ? 2 : 1)} ms`;
const times = (value: number) => `${round(value, 2)}×`;
const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
const count = (value: number) => value.toLocaleString('en-US');

function packagingRows(result: PackagingResult): Row[] {
  const rows: Row[] = [];
  const empty = result.emptyModule;
  rows.push({ section: 'load', subject: 'empty module', figure: `fresh node process: CPU, wall (import alone), medians of ${result.loadRuns}`, measured: `${ms(empty.cpuMs)} CPU, ${ms(empty.processMs)} wall (${ms(empty.requireMs)})`, target: '', met: null });
  const cli = result.cliVersion;
  rows.push({ section: 'load', subject: 'driftwarden --version', figure: 'fresh process CPU ÷ empty module (wall ÷ wall)', measured: `${ms(cli.cpuMs)} = ${times(cli.cpuMs / empty.cpuMs)} (${ms(cli.processMs)} = ${times(cli.processMs / empty.processMs)})`, target: '≤ 1.3×', met: cli.cpuMs <= 1.3 * empty.cpuMs });
  for (const variant of result.variants) {
    const label = `SDK ${variant.sdk === 'bundled' ? 'bundled' : 'from the runtime'}${variant.sdk === result.configured ? ' (configured)' : ''}`;
    for (const fn of variant.functions) {
      const unbundled = result.unbundled.find((entry) => entry.name === fn.name)!.load;
      const subject = `${fn.name}, ${label}`;
      rows.push({ section: 'package', subject, figure: 'zip size (files in zip)', measured: `${kb(fn.zipBytes)} (${fn.files.length} file${fn.files.length === 1 ? '' : 's'}${fn.shipsNodeModules ? ', node_modules!' : ''}${fn.shipsSourceMaps ? ', source maps!' : ''})`, target: '≤ 250 KB', met: fn.zipBytes <= 250 * 1024 && !fn.shipsNodeModules && !fn.shipsSourceMaps });
      rows.push({ section: 'load', subject, figure: 'fresh process load CPU ÷ empty module (wall ÷ wall)', measured: `${ms(fn.load.cpuMs)} = ${times(fn.load.cpuMs / empty.cpuMs)} (${ms(fn.load.processMs)} = ${times(fn.load.processMs / empty.processMs)})`, target: '≤ 2.0×', met: fn.load.cpuMs <= 2 * empty.cpuMs });
      rows.push({ section: 'load', subject, figure: 'unbundled load ÷ bundled load', measured: `${ms(unbundled.processMs)} (${ms(unbundled.requireMs)}) = ${times(unbundled.processMs / fn.load.processMs)}`, target: '≥ 3×', met: unbundled.processMs >= 3 * fn.load.processMs });
    }
  }
  return rows;
}

function sweepRows(sweeps: SweepResult[]): Row[] {
  return sweeps.flatMap((sweep) => {
    const subject = `${sweep.ruleId}, ${count(sweep.resources)} resources, ${sweep.scenario === 'first' ? 'first sweep (all reported)' : 'steady state (cost-aware, nothing changed)'}`;
    const extra = Object.entries(sweep.extraCalls).map(([operation, calls]) => `${operation} ${calls > 0 ? '+' : ''}${calls}`);
    return [
      { section: 'sweep', subject, figure: `median wall ÷ design-independent bound (real SDK → fake endpoint, ${LATENCY_MS} ms a call), ${sweep.runs} runs`, measured: `${ms(sweep.wallMs)} ÷ ${ms(sweep.latencyBoundMs)} = ${times(sweep.latencyRatio)}`, target: '≤ 1.2×', met: sweep.latencyRatio <= 1.2 },
      { section: 'sweep', subject, figure: `median CPU (full core); memory for it to fit 1.2× the bound on Lambda`, measured: `${ms(sweep.cpuMs)} CPU; ${count(sweep.memoryForCpuMb)} MB`, target: '', met: null },
      { section: 'sweep', subject, figure: 'API calls ÷ minimum', measured: `${count(sweep.callsTotal)} ÷ ${count(sweep.minimumTotal)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}; ${sweep.reported} reported in ${sweep.batches} batches`, target: '= minimum', met: extra.length === 0 },
      { section: 'sweep', subject, figure: 'peak RSS (before the sweep)', measured: `${round(sweep.peakRssMb)} MB (${round(sweep.baselineRssMb)} MB); heap ${round(sweep.peakHeapUsedMb)} MB`, target: '< 256 MB', met: sweep.peakRssMb < 256 },
    ];
  });
}

/** The memory serverless.yml gives the configRule function (its own, or the provider's). */
function configuredRuleMemoryMb(): number {
  const config = parse(readFileSync(join(PROJECT_DIR, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    provider: { memorySize?: number };
    functions: { configRule: { memorySize?: number } };
  };
  return config.functions.configRule.memorySize ?? config.provider.memorySize ?? 1024;
}

/**
 * The configRule function's memory size against what the sweeps' CPU asks for (1 vCPU per 1,769 MB).
 * Above 1,769 MB Lambda adds a second vCPU that one Node.js thread cannot use, so no size beyond it helps.
 */
function memoryRow(sweeps: SweepResult[]): Row {
  const needed = Math.max(...sweeps.map((sweep) => sweep.memoryForCpuMb));
  const worst = sweeps.find((sweep) => sweep.memoryForCpuMb === needed)!;
  const configured = configuredRuleMemoryMb();
  const useful = Math.min(needed, MB_PER_VCPU);
  return {
    section: 'sweep',
    subject: 'configRule memorySize (serverless.yml)',
    figure: `configured ÷ min(${count(MB_PER_VCPU)}, max over sweeps of ${count(MB_PER_VCPU)} MB × CPU ÷ (1.2 × bound))`,
    measured: `${count(configured)} MB ÷ ${count(useful)} MB (the sweeps ask for up to ${count(needed)} MB: ${worst.ruleId}, ${count(worst.resources)}, ${worst.scenario})`,
    target: '≥ 1',
    met: configured >= useful,
  };
}

function planRows(plans: PlanWorkerResult[]): Row[] {
  return plans.flatMap((plan) => {
    const goal = PLAN_GOALS.get(plan.resources)!;
    const subject = `${count(plan.resources)} resources, ${round(plan.fileBytes / 1024 / 1024, 1)} MB, ${count(plan.evaluations)} evaluations`;
    const memoryRatio = plan.peakRssMb / plan.parsePeakRssMb;
    return [
      { section: 'plan scan', subject, figure: 'scan (read+parse+normalise+evaluate) ÷ read+JSON.parse, fastest rounds', measured: `${ms(plan.scanMs)} ÷ ${ms(plan.parseMs)} = ${times(plan.scanMs / plan.parseMs)}`, target: `≤ ${goal.time}×`, met: plan.scanMs <= goal.time * plan.parseMs },
      { section: 'plan scan', subject, figure: 'peak RSS: scan process ÷ parse-only process', measured: `${round(plan.peakRssMb)} MB ÷ ${round(plan.parsePeakRssMb)} MB = ${times(memoryRatio)}`, target: goal.memory ? `≤ ${goal.memory}×` : '', met: goal.memory ? memoryRatio <= goal.memory : null },
    ];
  });
}

function sourceRows(result: ReturnType<typeof runSourceScan>): Row[] {
  const subject = (what: string, run: { resources: number; evaluations: number }) =>
    `${what}: ${count(SOURCE_SIZE.resources)} resources in ${result.files} .tf files (${count(run.resources)} judged, ${count(run.evaluations)} evaluations)`;
  const measured = (run: { firstMs: number; bestMs: number; peakRssMb: number }) => `${ms(run.firstMs)} first, ${ms(run.bestMs)} best; peak RSS ${round(run.peakRssMb)} MB`;
  return [
    { section: 'source scan', subject: subject('scan --terraform DIR', result.source), figure: 'read+parse+evaluate+judge (first includes loading the parser)', measured: measured(result.source), target: '', met: null },
    { section: 'source scan', subject: subject('the same as a plan', result.plan), figure: 'read+JSON.parse+normalise+judge', measured: measured(result.plan), target: '', met: null },
  ];
}

function rateRows(rates: EvaluateRate[]): Row[] {
  return rates.flatMap((rate) => [
    { section: 'evaluate', subject: rate.ruleId, figure: 'evaluate() per second', measured: count(Math.round(rate.evaluatePerSecond)), target: '≥ 200,000', met: rate.evaluatePerSecond >= 200_000 },
    { section: 'evaluate', subject: rate.ruleId, figure: 'evaluateResource() per second (runner around it)', measured: count(Math.round(rate.runnerPerSecond)), target: '', met: null },
  ]);
}

function billingRows(billing: BillingResult): Row[] {
  const { scenario } = billing;
  const subject = `${count(scenario.resources)} resources, ${scenario.dailyChangeRate * 100}% changed a day, ${scenario.days} daily sweeps`;
  const month = (billed: BillingResult['naive']) => `${count(billed.total)} ($${billed.costUsd.toFixed(2)}) = ${count(billed.sweepEvaluations)} sweep + ${count(billed.changeEvaluations)} change`;
  return [
    { section: 'billing', subject, figure: 'evaluations billed a month, naive (report everything)', measured: month(billing.naive), target: '', met: null },
    { section: 'billing', subject, figure: 'evaluations billed a month, cost-aware', measured: `${month(billing.costAware)}; ${count(billing.costAware.annotationOnlyReports)} only because an annotation moved`, target: '', met: null },
    { section: 'billing', subject, figure: 'saved by cost-aware reporting; Config results identical', measured: `${count(billing.savedEvaluations)} ($${billing.savedUsd.toFixed(2)}) a month; ${billing.resultsAgree ? 'identical' : 'DIFFERENT'}`, target: 'identical results', met: billing.resultsAgree },
  ];
}

function renderTable(rows: Row[], header: string): string {
  const columns: (keyof Row)[] = ['section', 'subject', 'figure', 'measured', 'target', 'met'];
  const cell = (row: Row, column: keyof Row) => (column === 'met' ? (row.met === null ? '' : row.met ? 'yes' : 'NO') : String(row[column]));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row, column).length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join(' | ').trimEnd();
  return [header, line(columns), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map((row) => line(columns.map((column) => cell(row, column))))].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const started = new Date();
  const progress = (message: string) => {
    if (!json) process.stderr.write(`${message}\n`);
  };

  const sweepsOnly = process.argv.includes('--sweeps');
  const packaging = sweepsOnly ? undefined : (progress('packaging every function twice (SDK bundled, SDK from the runtime) and timing their loads…'), await measurePackaging(PROJECT_DIR, WORK_DIR, LOAD_RUNS));
  progress(`sweeping synthetic accounts (${SWEEP_RUNS} fresh processes each)…`);
  const cases: SweepCase[] = SWEEP_SIZES.flatMap((resources) =>
    ['vpc-flow-logs', 'encryption-at-rest', 'secret-rotation'].flatMap((ruleId) => (['first', 'steady'] as const).map((scenario) => ({ ruleId, resources, scenario }))),
  );
  const sweeps = runSweeps(BUILD_DIR, cases, LATENCY_MS, SWEEP_RUNS);
  if (sweepsOnly) {
    const rows = [...sweepRows(sweeps), memoryRow(sweeps)];
    if (json) process.stdout.write(`${JSON.stringify({ startedAt: started.toISOString(), machine: machine(), latencyMs: LATENCY_MS, sweeps, rows }, null, 2)}\n`);
    else process.stdout.write(`${renderTable(rows, `driftwarden sweeps, ${started.toISOString()}: ${machine().cpuModel}, ${machine().cores} cores, load ${machine().loadAverage}, Node ${machine().node}`)}\n`);
    return;
  }
  progress('scanning generated Terraform plans…');
  const plans = [...PLAN_GOALS.keys()].map((resources) => runPlanScan(BUILD_DIR, WORK_DIR, resources));
  progress('scanning a generated Terraform configuration as source, and its plan…');
  const sourceScan = runSourceScan(BUILD_DIR, WORK_DIR, SOURCE_SIZE.resources, SOURCE_SIZE.files);
  progress('timing each rule\'s evaluate()…');
  const evaluateRates = measureEvaluateRates();
  progress('simulating a month of billing…');
  const billing = await simulateBilling();
  const seconds = (Date.now() - started.getTime()) / 1000;

  const rows = [...packagingRows(packaging!), ...sweepRows(sweeps), memoryRow(sweeps), ...planRows(plans), ...sourceRows(sourceScan), ...rateRows(evaluateRates), ...billingRows(billing)];
  const about = { startedAt: started.toISOString(), seconds: round(seconds), machine: machine(), latencyMs: LATENCY_MS };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...about, packaging, sweeps, plans, sourceScan, evaluateRates, billing, rows }, null, 2)}\n`);
    return;
  }
  const { machine: host } = about;
  const header = `driftwarden benchmark, ${about.startedAt}: ${host.cpuModel}, ${host.cores} cores, load ${host.loadAverage}, Node ${host.node}; ${about.seconds} s`;
  process.stdout.write(`${renderTable(rows, header)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

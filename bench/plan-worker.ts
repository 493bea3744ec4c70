/**
 * A Terraform plan scan in a process of its own: `node plan-worker.js <resources> <file>` writes a
 * generated plan to `file`, then times the CLI's path (read the file, parse it, read the resources,
 * scan them with every rule) beside reading and `JSON.parse` of the same file. Prints one JSON line.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { readTerraformFile } from '../cli/input';
import { scan } from '../lib/scan';
import { parseSettings } from '../lib/settings';
import { RULES } from '../rules';
import { syntheticPlanText } from './plan';
import { BENCH_NOW } from './synthetic';

export interface PlanWorkerResult {
  resources: number;
  fileBytes: number;
  evaluations: number;
  nonCompliant: number;
  /** Fastest round: readFileSync + JSON.parse, the floor no scan can beat. */
  parseMs: number;
  /** Fastest round: readTerraformFile (read, parse, normalise) + scan with every rule. */
  scanMs: number;
  /** What the scan adds on top of reading and parsing the file. */
  scanAfterParseMs: number;
  peakRssMb: number;
}

// The fastest of several rounds: CPU-bound work is only ever slowed by noise, never sped up.
const ROUNDS = 9;

function time(task: () => unknown): number {
  const start = process.hrtime.bigint();
  task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function main(): void {
  const [countArg, file] = process.argv.slice(2);
  const resources = Number(countArg);
  if (!Number.isInteger(resources) || !file) throw new Error('usage: plan-worker <resources> <file>');
  writeFileSync(file, syntheticPlanText(resources));
  const settings = parseSettings({}, RULES);
  const scanFile = () => scan(readTerraformFile(file), { rules: RULES, settings, now: BENCH_NOW });
  const parseFile = () => JSON.parse(readFileSync(file, 'utf8')) as unknown;

  // One untimed round of each warms the file cache and the JIT.
  const report = scanFile();
  parseFile();
  const parse: number[] = [];
  const full: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    parse.push(time(parseFile));
    full.push(time(scanFile));
  }
  const result: PlanWorkerResult = {
    resources,
    fileBytes: statSync(file).size,
    evaluations: report.summary.evaluations,
    nonCompliant: report.summary.nonCompliant,
    parseMs: Math.min(...parse),
    scanMs: Math.min(...full),
    scanAfterParseMs: Math.min(...full) - Math.min(...parse),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();

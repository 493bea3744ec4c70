/**
 * A Terraform plan scan in processes of its own, each printing one JSON line:
 * - `generate <resources> <file>` writes a generated plan to `file`;
 * - `time <file>` times the CLI's path (read the file, parse it, read the resources, scan them with
 *   every rule) beside reading and `JSON.parse` of the same file, rounds alternating;
 * - `peak-parse <file>` and `peak-scan <file>` do one of the two once and report the peak RSS, so the
 *   scan's memory is compared with a process that only parses.
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
  /** Peak RSS of a process that reads and scans the plan once. */
  peakRssMb: number;
  /** Peak RSS of a process that reads and `JSON.parse`s it once. */
  parsePeakRssMb: number;
}

export type PlanTiming = Omit<PlanWorkerResult, 'resources' | 'fileBytes' | 'peakRssMb' | 'parsePeakRssMb'>;

// The fastest of several rounds: CPU-bound work is only ever slowed by noise, never sped up. A
// 100,000-resource plan (118 MB) takes seconds a round, so it gets fewer.
const roundsFor = (fileBytes: number) => (fileBytes > 50 * 1024 * 1024 ? 3 : 7);

function time(task: () => unknown): number {
  const start = process.hrtime.bigint();
  task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

function main(): void {
  const [mode, ...args] = process.argv.slice(2);
  const file = args.at(-1);
  if (!file) throw new Error('usage: plan-worker generate <resources> <file> | time <file> | peak-parse <file> | peak-scan <file>');
  const settings = parseSettings({}, RULES);
  const scanFile = () => scan(readTerraformFile(file), { rules: RULES, settings, now: BENCH_NOW });
  const parseFile = () => JSON.parse(readFileSync(file, 'utf8')) as unknown;
  let result: unknown;
  switch (mode) {
    case 'generate':
      writeFileSync(file, syntheticPlanText(Number(args[0])));
      result = { fileBytes: statSync(file).size };
      break;
    case 'peak-parse':
      parseFile();
      result = { peakRssMb: peakRssMb() };
      break;
    case 'peak-scan':
      scanFile();
      result = { peakRssMb: peakRssMb() };
      break;
    case 'time': {
      // One untimed round of each warms the file cache and the JIT.
      const report = scanFile();
      parseFile();
      const parse: number[] = [];
      const full: number[] = [];
      const rounds = roundsFor(statSync(file).size);
      for (let round = 0; round < rounds; round++) {
        parse.push(time(parseFile));
        full.push(time(scanFile));
      }
      const timing: PlanTiming = {
        evaluations: report.summary.evaluations,
        nonCompliant: report.summary.nonCompliant,
        parseMs: Math.min(...parse),
        scanMs: Math.min(...full),
        scanAfterParseMs: Math.min(...full) - Math.min(...parse),
      };
      result = timing;
      break;
    }
    default:
      throw new Error(`plan-worker: unknown mode ${mode}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();

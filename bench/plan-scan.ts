import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PlanTiming, PlanWorkerResult } from './plan-worker';

function worker<T>(buildDir: string, args: string[]): T {
  const child = spawnSync(process.execPath, [join(buildDir, 'plan-worker.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`plan-worker ${args.join(' ')} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

/**
 * Generates a plan of `resources`, then times and measures its scan, each step in a fresh process so
 * heaps and JITs start clean and the generator's memory counts nowhere.
 */
export function runPlanScan(buildDir: string, workDir: string, resources: number): PlanWorkerResult {
  const file = join(workDir, `plan-${resources}.json`);
  const { fileBytes } = worker<{ fileBytes: number }>(buildDir, ['generate', String(resources), file]);
  const timing = worker<PlanTiming>(buildDir, ['time', file]);
  const scanPeak = worker<{ peakRssMb: number }>(buildDir, ['peak-scan', file]);
  const parsePeak = worker<{ peakRssMb: number }>(buildDir, ['peak-parse', file]);
  return { resources, fileBytes, ...timing, peakRssMb: scanPeak.peakRssMb, parsePeakRssMb: parsePeak.peakRssMb };
}

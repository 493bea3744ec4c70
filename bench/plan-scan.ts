import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PlanWorkerResult } from './plan-worker';

/** Generates and scans a plan of `resources` in a fresh process, so its heap and JIT start clean. */
export function runPlanScan(buildDir: string, workDir: string, resources: number): PlanWorkerResult {
  const child = spawnSync(process.execPath, [join(buildDir, 'plan-worker.js'), String(resources), join(workDir, `plan-${resources}.json`)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`Plan scan of ${resources} resources failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as PlanWorkerResult;
}

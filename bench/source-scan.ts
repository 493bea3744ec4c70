import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { SourceWorkerResult } from './source-worker';

function runWorker(buildDir: string, args: string[]): SourceWorkerResult {
  const child = spawnSync(process.execPath, [join(buildDir, 'source-worker.js'), ...args], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`Source scan benchmark (${args.join(' ')}) failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as SourceWorkerResult;
}

/** A generated configuration scanned as source, then the plan it evaluates to scanned as a plan, each in a fresh process. */
export function runSourceScan(buildDir: string, workDir: string, resources: number, files: number): { source: SourceWorkerResult; plan: SourceWorkerResult; files: number } {
  const dir = join(workDir, `source-${resources}`);
  const source = runWorker(buildDir, ['source', String(resources), String(files), dir]);
  const plan = runWorker(buildDir, ['plan', dir]);
  return { source, plan, files };
}

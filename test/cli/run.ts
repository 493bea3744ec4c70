import { runCli } from '../../cli/main';
import { NOW } from '../helpers';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in this process, as `driftwarden ...args` would, capturing what it prints. */
export async function runInProcess(...args: string[]): Promise<InProcessRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) }, now: () => NOW });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

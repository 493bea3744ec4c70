import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../cli/main';
import { NOW } from '../helpers';

const BIN = join(__dirname, '..', '..', 'bin', 'driftwarden.js');

/** A stdout or stderr for `runCli` that keeps what is written, as a terminal (`isTTY`) or a pipe. */
export class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in this process, as `driftwarden ...args` would, capturing what it prints. */
export async function runInProcess(...args: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) }, now: () => NOW });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

export interface SubprocessOptions {
  cwd?: string;
  /** Added to an environment of `PATH` alone, so no AWS configuration or profile of the machine leaks in. */
  env?: Record<string, string>;
  /** Written to standard input, which is then closed. */
  input?: string | Buffer;
}

/** Runs the installed entry point in a process of its own, as a user would. */
export function runSubprocess(args: readonly string[], options: SubprocessOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input);
  });
}

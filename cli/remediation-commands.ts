import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { UsageError } from '../lib/errors';
import { registerRemediateCommand, type RemediateDependencies, type SourceFlags } from './commands/remediate';
import { registerUndoCommand } from './commands/undo';
import type { CliContext } from './context';

/** The sources `scan` reads, for `remediate`: a file, the demo account, or the live account. */
async function readSource(flags: SourceFlags, context: CliContext) {
  // Loaded when a command runs, not at start: `--help` and `--version` need none of it.
  const [{ readFileSource, warnListingErrors }, { RULES }] = await Promise.all([import('./input'), import('../rules')]);
  const fileSource = readFileSource(flags);
  if (fileSource) return fileSource;
  if (!context.liveCollector) throw new UsageError('This build of driftwarden cannot read a live account; use --snapshot FILE, --terraform FILE or --demo.');
  const collection = await context.liveCollector.collect({ rules: RULES, regions: flags.region ? [flags.region] : [], concurrency: 8 });
  warnListingErrors(collection.errors, context.stderr);
  return collection;
}

/** Only a person at a terminal can confirm a change; piped input never does. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}

function remediationDependencies(context: CliContext): RemediateDependencies {
  return {
    readSource: (flags) => readSource(flags, context),
    confirm: confirmOnTerminal,
    connect: async (options) => (await import('./remediation-account')).connectToAccount(options),
    newRunId: () => `cli-${randomUUID()}`,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** `remediate` and `undo`, with the terminal, the sources and the account of this process. */
export function registerRemediationCommands(program: Command, context: CliContext): void {
  const dependencies = remediationDependencies(context);
  registerRemediateCommand(program, context, dependencies);
  registerUndoCommand(program, context, dependencies);
}

import { Command, CommanderError } from 'commander';
import { DriftwardenError } from '../lib/errors';
import { version } from '../package.json';
import { registerEvalCommand } from './commands/eval';
import { registerNotifyCommand } from './commands/notify';
import { registerRulesCommand } from './commands/rules';
import { registerScanCommand } from './commands/scan';
import { registerRemediationCommands } from './remediation-commands';
import type { CliContext } from './context';

/**
 * Every command: a new one is a file in `cli/commands/` that declares it, a file in `cli/actions/` that
 * runs it (loaded only then, so start-up loads neither the SDK nor the rules), and one line here.
 */
const COMMANDS: ((program: Command, context: CliContext) => void)[] = [registerScanCommand, registerRulesCommand, registerEvalCommand, registerRemediationCommands, registerNotifyCommand];

export function createProgram(context: CliContext): Command {
  const program = new Command('driftwarden')
    .description('Find drift in AWS: the same rules on a live account, a Config snapshot or a Terraform plan.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => write(`driftwarden: ${text.replace(/^error: /, '')}`),
    });
  for (const register of COMMANDS) register(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the command line and returns the exit code: 0 clean, 1 findings at or above --fail-on, 2 usage or input error. */
export async function runCli(argv: readonly string[], context: Omit<CliContext, 'exitCode'>): Promise<number> {
  const state: CliContext = { ...context, exitCode: 0 };
  try {
    await createProgram(state).parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and --version end with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = error instanceof DriftwardenError ? error.message : `unexpected error: ${(error as Error).message ?? String(error)}`;
    state.stderr.write(`driftwarden: ${message.split('\n')[0]}\n`);
    if (process.env.DRIFTWARDEN_DEBUG) state.stderr.write(`${(error as Error).stack}\n`);
    return 2;
  }
}

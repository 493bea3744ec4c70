import type { Command } from 'commander';
import type { CliContext } from '../context';

export interface EvalFlags {
  live?: boolean;
  profile?: string;
  region?: string;
}

export function registerEvalCommand(program: Command, context: CliContext): void {
  program
    .command('eval')
    .description('Run the Config rule handler on a saved Lambda event and print the PutEvaluations entries it would report.')
    .argument('<event>', 'a saved AWS Config rule invocation event (JSON)')
    .option('--live', 'call AWS for what the event does not carry: oversized items, scheduled sweeps, flow logs, keys')
    .option('--profile <name>', 'with --live: AWS profile from the shared config files')
    .option('--region <region>', 'with --live: region to call')
    .action(async (file: string, flags: EvalFlags) => (await import('../actions/eval')).runEval(file, flags, context));
}

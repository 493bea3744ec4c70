import { Option, type Command } from 'commander';
import type { CliContext } from '../context';

export interface RulesFlags {
  format: 'table' | 'json';
  config?: string;
}

export function registerRulesCommand(program: Command, context: CliContext): void {
  program
    .command('rules')
    .description('List every rule: severity, resource types, parameters, AWS managed rule and Security Hub mapping, remediation and its documentation.')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--config <file>', 'settings file whose parameters and remediation modes to show (default: .driftwarden.yml when present)')
    .action(async (flags: RulesFlags) => (await import('../actions/rules')).runRules(flags, context));
}

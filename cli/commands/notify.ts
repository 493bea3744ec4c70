import { Option, type Command } from 'commander';
import type { CliContext } from '../context';

export interface NotifyFlags {
  demo?: boolean;
  snapshot?: string;
  config?: string;
  stage: string;
  format: 'text' | 'json';
  slackWebhookUrl?: string;
}

export function registerNotifyCommand(program: Command, context: CliContext): void {
  program
    .command('notify')
    .description('Print the email and the Slack message(s) findings would produce once deployed; with --slack-webhook-url, post them to Slack.')
    .option('--demo', 'the findings of the embedded sample account')
    .option('--snapshot <file>', 'the findings of AWS Config items in a file (as for scan)')
    .option('--config <file>', 'settings file: rule modes, severity routing and digest threshold, as deployed')
    .option('--stage <stage>', 'stage whose Config rules the links point to', 'dev')
    .addOption(new Option('--format <format>', 'text (email as sent, Slack as JSON) or json').choices(['text', 'json']).default('text'))
    .option('--slack-webhook-url <url>', 'deliver the Slack message(s) to this incoming webhook, with retries (the URL is never printed)')
    .action(async (flags: NotifyFlags) => (await import('../actions/notify')).runNotify(flags, context));
}

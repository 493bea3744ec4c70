import { Option, type Command } from 'commander';
import { UsageError } from '../../lib/errors';
import { OUTPUT_FORMATS, type OutputFormat } from '../../lib/report/formats';
import { SEVERITIES, type Severity } from '../../lib/severity';
import type { CliContext } from '../context';

export interface ScanFlags {
  snapshot?: string;
  terraform?: string;
  demo?: boolean;
  profile?: string;
  region?: string[];
  concurrency: number;
  config?: string;
  param?: string[];
  rule?: string[];
  skipRule?: string[];
  severity?: Severity;
  suppressions?: string;
  baseline?: string;
  createBaseline?: string;
  format: OutputFormat;
  output?: string[];
  accountId?: string;
  failOn?: Severity | 'none';
  failOnUnknown?: boolean;
  all?: boolean;
  var?: string[];
  varFile?: string[];
  sourceRoot?: string;
  allowPartial?: boolean;
  org?: boolean;
  aggregator?: string;
  roleName?: string;
  ou?: string[];
  account?: string[];
  excludeAccount?: string[];
  accountConcurrency: number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new UsageError(`${flag} ${value}: expected a whole number of at least 1`);
    return number;
  };
}

export function registerScanCommand(program: Command, context: CliContext): void {
  program
    .command('scan')
    .description('Evaluate the rules against a live account (default), a Config snapshot, a Terraform plan or state, or the demo account.')
    .option('--snapshot <file>', 'AWS Config items: batch-get-resource-config or get-resource-config-history output, an array, or one item (- reads standard input)')
    .option('--terraform <path>', 'the JSON of `terraform show -json` for a plan or a state (- reads standard input), or Terraform source: a folder or a .tf / .tf.json file')
    .option('--var <name=value>', 'Terraform source: a root variable value, as `terraform plan -var` (repeatable)', collect)
    .option('--var-file <file>', 'Terraform source: a .tfvars file, after terraform.tfvars and *.auto.tfvars (repeatable)', collect)
    .option('--source-root <dir>', 'Terraform plan or state: the configuration folder, so findings carry file and line')
    .option('--demo', 'the embedded sample account (exits 0 unless --fail-on is given)')
    .option('--profile <name>', 'live scan: AWS profile from the shared config files')
    .option('--region <region>', 'live scan: region to scan; repeat or comma-separate for several (asff: the region of findings that name none)', collect)
    .addOption(new Option('--concurrency <n>', 'live scan: AWS calls in flight at once (per account with --org)').default(8).argParser(positiveInteger('--concurrency')))
    .option('--org', 'every account of the AWS Organization, through --role-name in each (run with management or delegated-administrator credentials)')
    .option('--role-name <name>', 'organization scan: the role to assume in every account')
    .option('--ou <id>', 'organization scan: only accounts under this OU or root (repeatable; child OUs included)', collect)
    .option('--account <id>', 'organization scan: only this account (repeatable or comma-separated)', collect)
    .option('--exclude-account <id>', 'organization scan: leave this account out (repeatable or comma-separated)', collect)
    .option('--aggregator <name>', "the organization's recorded configuration items from this AWS Config aggregator (run in its account and region; no role is assumed)")
    .addOption(new Option('--account-concurrency <n>', 'organization scan: accounts scanned at once').default(16).argParser(positiveInteger('--account-concurrency')))
    .option('--config <file>', 'settings file (JSON or YAML), the same the deployment uses (default: .driftwarden.yml in this folder or at the repository root)')
    .option('--param <rule.name=value>', 'rule parameter, e.g. public-app-ports.authorizedTcpPorts=80,443,8443 (repeatable)', collect)
    .option('--rule <id>', 'run only this rule; an id or a glob such as "encryption-*" (repeatable)', collect)
    .option('--skip-rule <id>', 'do not run this rule; an id or a glob (repeatable)', collect)
    .addOption(new Option('--severity <severity>', 'run only rules of this severity or above').choices(SEVERITIES))
    .option('--suppressions <file>', 'YAML or JSON list of { resource, rule, reason, expires }: exempts those findings like the exemption tag')
    .option('--baseline <file>', 'report only findings that are not in this baseline')
    .option('--create-baseline <file>', "record this scan's findings as the baseline (exits 0 unless --fail-on is given)")
    .addOption(new Option('--format <format>', 'format printed on standard output').choices(OUTPUT_FORMATS).default('table'))
    .option('--output <[format=]file>', 'also write a report to a file: FORMAT=FILE, or FILE with the format its extension implies (repeatable)', collect)
    .option('--account-id <id>', 'asff: the AWS account of findings whose source names none (Terraform)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high; none with --demo)').choices([...SEVERITIES, 'none']))
    .option('--fail-on-unknown', 'also exit 1 for unknown verdicts (what the input cannot tell) at or above --fail-on')
    .option('--allow-partial', 'exit by the findings even when part of the input could not be read (a type or region of a live scan, an account of --org, a registry module); never when nothing was')
    .option('--all', 'table: also list compliant, exempt and not-applicable evaluations')
    .action(async (flags: ScanFlags) => (await import('../actions/scan')).runScan(flags, context));
}

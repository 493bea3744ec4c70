import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { createAwsClients } from '../../lib/aws/clients';
import { awsClientConfig } from '../../lib/aws/client-config';
import { awsRuleRunSources } from '../../lib/config-rule/aws-sources';
import { readRuleInvocation } from '../../lib/config-rule/invocation';
import { toConfigEvaluation } from '../../lib/config-rule/report';
import { runRuleInvocation, type RuleRunSources } from '../../lib/config-rule/run';
import { UsageError } from '../../lib/errors';
import { parseSettings } from '../../lib/settings';
import { RULES } from '../../rules';
import { defaultRegion } from '../aws';
import type { EvalFlags } from '../commands/eval';
import type { CliContext } from '../context';
import { readJsonFile } from '../input';

/** Without --live nothing calls AWS: lookups stay unloaded, so what needs one is reported undecided. */
const offlineSources: RuleRunSources = {
  fetchItem: async () => {
    throw new UsageError('An oversized-item notification carries no configuration item; run with --live to fetch it from AWS Config.');
  },
  listResources: () => {
    throw new UsageError('A scheduled notification evaluates the live account; run with --live.');
  },
  recordedResults: async function* () {},
  loadLookups: async () => ({}),
};

async function liveSources(flags: EvalFlags, accountId: string | undefined): Promise<RuleRunSources> {
  const region = flags.region ?? (await defaultRegion(flags.profile));
  const profile = flags.profile !== undefined ? { profile: flags.profile } : {};
  return awsRuleRunSources({
    config: new ConfigServiceClient(awsClientConfig({ region, ...profile })),
    clients: createAwsClients({ region, ...profile }),
    region,
    ...(accountId !== undefined && { accountId }),
  });
}

export async function runEval(file: string, flags: EvalFlags, context: CliContext): Promise<void> {
  const invocation = readRuleInvocation(readJsonFile(file));
  if (invocation.invokingEvent.messageType === 'ScheduledNotification' && !flags.live) {
    throw new UsageError(`${file} is a scheduled notification: it evaluates the live account; run with --live.`);
  }
  const sources = flags.live ? await liveSources(flags, invocation.accountId) : offlineSources;
  const run = await runRuleInvocation(RULES, invocation, sources, { now: context.now(), costAwareReporting: parseSettings({}, RULES).costAwareReporting });
  const failedTypes = run.failedTypes.map(({ resourceType, error }) => ({ resourceType, error: `${error.name}: ${error.message}` }));
  const output = {
    configRuleName: invocation.configRuleName,
    ruleId: run.rule.id,
    messageType: invocation.invokingEvent.messageType,
    evaluations: run.evaluations.map(toConfigEvaluation),
    ...(run.unchanged > 0 && { unchangedNotReported: run.unchanged }),
    ...(failedTypes.length > 0 && { failedTypes }),
    // What the Lambda would refuse to guess: it fails the invocation and the previous verdicts stand.
    ...(run.undecided.length > 0 && {
      undecided: run.undecided.map((evaluation) => ({ resourceType: evaluation.resourceType, resourceId: evaluation.resourceId, reason: evaluation.annotation })),
    }),
  };
  context.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  if (failedTypes.length > 0 || run.undecided.length > 0) context.exitCode = 2;
}


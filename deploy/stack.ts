import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../lib/settings';
import { readSettingsFile } from '../lib/settings-file';
import { RULES } from '../rules';
import { stackPrefix, type StackNames } from '../lib/config-rule/names';
import { configRuleActions, configRuleResources } from './config-rules';

/** `settings/<stage>.yml` when it exists, else `settings/default.yml`. */
export function settingsPathFor(projectDir: string, stage: string): string {
  const staged = join(projectDir, 'settings', `${stage}.yml`);
  return existsSync(staged) ? staged : join(projectDir, 'settings', 'default.yml');
}

export function loadStackSettings(projectDir: string, stage: string): Settings {
  return readSettingsFile(settingsPathFor(projectDir, stage), RULES);
}

const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A function's own log group, the only place its role may write logs to. */
export function logWritingStatement(functionName: string): object {
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*` },
  };
}

export function lambdaRole(functionName: string, statements: object[]): object {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: LAMBDA_TRUST,
      Policies: [{ PolicyName: 'least-privilege', PolicyDocument: { Version: '2012-10-17', Statement: [logWritingStatement(functionName), ...statements] } }],
    },
  };
}

export function configRuleStack(projectDir: string, names: StackNames, sweepActions: Parameters<typeof configRuleActions>[2]): Record<string, object> {
  const settings = loadStackSettings(projectDir, names.stage);
  return {
    ConfigRuleRole: lambdaRole(`${stackPrefix(names)}configRule`, [
      // Config, EC2, RDS and the List/Describe calls of a sweep offer no resource-level scoping.
      { Effect: 'Allow', Action: configRuleActions(RULES, settings, sweepActions), Resource: '*' },
    ]),
    ...configRuleResources(RULES, settings, names),
  };
}

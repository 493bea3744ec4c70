import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CloudFormationResource {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string | string[];
}

export interface CloudFormationTemplate {
  Resources: Record<string, CloudFormationResource>;
}

/** The template `serverless package` produced for stage `test` (or `org-example`, organization mode) in the jest global setup. */
export function packagedTemplate(stage: 'test' | 'org-example' = 'test'): CloudFormationTemplate {
  const directory = stage === 'test' ? '.serverless-test' : '.serverless-test-org';
  return JSON.parse(readFileSync(join(__dirname, `../../${directory}/cloudformation-template-update-stack.json`), 'utf8'));
}

export function resourcesOfType(template: CloudFormationTemplate, type: string): [string, CloudFormationResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every action any IAM policy in the template allows. */
export function allowedActions(template: CloudFormationTemplate): string[] {
  const actions: string[] = [];
  for (const [, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of role.Properties.Policies ?? []) {
      for (const statement of policy.PolicyDocument.Statement) actions.push(...[statement.Action].flat());
    }
  }
  return actions;
}

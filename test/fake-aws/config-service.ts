import { FakeAwsError, type FakeAws } from './server';

export interface StoredEvaluation {
  ComplianceResourceType: string;
  ComplianceResourceId: string;
  ComplianceType: string;
  Annotation?: string;
  OrderingTimestamp: number | string;
}

export interface FakeConfigOptions {
  /** Chance per evaluation that PutEvaluations returns it in FailedEvaluations (a partial failure). */
  failedEvaluationRate?: number;
  /** Which rule a result token belongs to; by default the token is the rule name. */
  ruleOfToken?: (token: string) => string;
}

/**
 * AWS Config as far as the rule function uses it: PutEvaluations stores verdicts per rule (or
 * returns some as FailedEvaluations), GetComplianceDetailsByConfigRule pages them back,
 * GetResourceConfigHistory answers from items the test records.
 */
export class FakeConfigService {
  /** Accepted verdicts: rule name → resource key → evaluation. */
  readonly verdicts = new Map<string, Map<string, StoredEvaluation>>();
  /** How many times each resource's evaluation was accepted (a count above 1 is a repeat). */
  readonly accepted = new Map<string, number>();
  /** Configuration items GetResourceConfigHistory returns, by `type/id`. */
  readonly items = new Map<string, Record<string, unknown>>();

  constructor(fake: FakeAws, options: FakeConfigOptions = {}) {
    const rate = options.failedEvaluationRate ?? 0;
    const ruleOf = options.ruleOfToken ?? ((token: string) => token);
    fake.on('config', 'PutEvaluations', ({ input, random }) => {
      const evaluations = (input.Evaluations ?? []) as StoredEvaluation[];
      if (evaluations.length > 100) throw new FakeAwsError('ValidationException', 'Evaluations must contain at most 100 items');
      const rule = ruleOf(input.ResultToken);
      const stored = this.verdicts.get(rule) ?? new Map<string, StoredEvaluation>();
      this.verdicts.set(rule, stored);
      const failed: StoredEvaluation[] = [];
      for (const evaluation of evaluations) {
        if (random() < rate) {
          failed.push(evaluation);
          continue;
        }
        const key = `${evaluation.ComplianceResourceType}/${evaluation.ComplianceResourceId}`;
        stored.set(key, evaluation);
        this.accepted.set(`${rule}/${key}`, (this.accepted.get(`${rule}/${key}`) ?? 0) + 1);
      }
      return { FailedEvaluations: failed };
    });
    fake.on('config', 'GetComplianceDetailsByConfigRule', ({ input }) => {
      const all = [...(this.verdicts.get(input.ConfigRuleName)?.values() ?? [])].filter(
        (evaluation) => !input.ComplianceTypes || input.ComplianceTypes.includes(evaluation.ComplianceType),
      );
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const limit = input.Limit ?? 100;
      const page = all.slice(start, start + limit);
      return {
        EvaluationResults: page.map((evaluation) => ({
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: { ConfigRuleName: input.ConfigRuleName, ResourceType: evaluation.ComplianceResourceType, ResourceId: evaluation.ComplianceResourceId },
            OrderingTimestamp: evaluation.OrderingTimestamp,
          },
          ComplianceType: evaluation.ComplianceType,
          ...(evaluation.Annotation !== undefined && { Annotation: evaluation.Annotation }),
        })),
        ...(start + limit < all.length && { NextToken: String(start + limit) }),
      };
    });
    fake.on('config', 'GetResourceConfigHistory', ({ input }) => {
      const item = this.items.get(`${input.resourceType}/${input.resourceId}`);
      if (!item) throw new FakeAwsError('ResourceNotDiscoveredException', `Resource ${input.resourceId} of resourceType:${input.resourceType} is unknown or has not been discovered`);
      return { configurationItems: [item] };
    });
  }

  /** Verdicts held for a rule, by `type/id`. */
  verdictsOf(rule: string): Map<string, StoredEvaluation> {
    return this.verdicts.get(rule) ?? new Map();
  }
}

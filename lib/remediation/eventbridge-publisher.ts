import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublishError } from '../errors';
import { EVENT_SOURCE, type EventPublisher, type RemediationDetailType, type RemediationEventDetail } from './events';

/** Remediation events of one stage on an EventBridge bus (the account's default bus unless told otherwise). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly stage: string,
    private readonly busName = 'default',
  ) {}

  async publish(detailType: RemediationDetailType, detail: RemediationEventDetail, resources: readonly string[]): Promise<void> {
    const { PutEventsCommand } = await import('../aws/sdk/eventbridge');
    let response;
    try {
      response = await this.client.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify({ ...detail, stage: this.stage }), Resources: [...resources] }],
        }),
      );
    } catch (error) {
      throw new EventPublishError(`Cannot put the "${detailType}" event for ${detail.auditId} on ${this.busName}: ${(error as Error).message}`, { cause: error });
    }
    // PutEvents answers 200 even when it drops the entry; the entry says why.
    const failed = response.Entries?.find((entry) => entry.ErrorCode);
    if ((response.FailedEntryCount ?? 0) > 0 || failed) {
      throw new EventPublishError(`EventBridge refused the "${detailType}" event for ${detail.auditId}: ${failed?.ErrorCode ?? 'unknown'}: ${failed?.ErrorMessage ?? ''}`.trim());
    }
  }
}

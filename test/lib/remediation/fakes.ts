import type { EventPublisher, RemediationDetailType, RemediationEventDetail } from '../../../lib/remediation/events';

export interface PublishedEvent {
  detailType: RemediationDetailType;
  detail: RemediationEventDetail;
  resources: readonly string[];
}

/** Keeps what would have gone to EventBridge, in order. */
export class RecordingPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];

  async publish(detailType: RemediationDetailType, detail: RemediationEventDetail, resources: readonly string[]): Promise<void> {
    this.events.push({ detailType, detail, resources });
  }

  get detailTypes(): RemediationDetailType[] {
    return this.events.map((event) => event.detailType);
  }
}

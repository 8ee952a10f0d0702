import { emailSuppressionDecider, type EmailSuppressionEvent, type EmailSuppressionState } from '@crm/campaigns';
import type { RecordedEvent } from '@crm/event-store';

export const SUPPRESSION_PREFIX = 'emailsuppression-';

/**
 * The suppression list in memory, by address key: what the dispatcher asks before every e-mail (a
 * map look-up, no read of the store per message). Fed by the campaign directory, which follows the
 * store from the start on every boot, and by the writers of this process (`note`), so a bounce
 * recorded here stops this process's next e-mail at once; another process's arrives through the
 * subscription. About 150 bytes per address.
 */
export class EmailSuppressionList {
  private readonly addresses = new Map<string, { state: EmailSuppressionState; revision: number }>();

  isSuppressed(addressKey: string): boolean {
    return this.addresses.get(addressKey)?.state.suppressed === true;
  }

  /** What a writer of this process left (newer revisions only). */
  note(addressKey: string, state: EmailSuppressionState, revision: number): void {
    const known = this.addresses.get(addressKey);
    if (!known || revision > known.revision) this.addresses.set(addressKey, { state, revision });
  }

  /** An event of a `emailsuppression-<key>` stream, applied only in order (what a writer noted is skipped). */
  apply(e: RecordedEvent): void {
    const addressKey = e.streamId.slice(SUPPRESSION_PREFIX.length);
    const known = this.addresses.get(addressKey) ?? { state: emailSuppressionDecider.initialState, revision: -1 };
    const revision = Number(e.revision);
    if (revision !== known.revision + 1) return;
    this.addresses.set(addressKey, { state: emailSuppressionDecider.evolve(known.state, { type: e.type, data: e.data } as EmailSuppressionEvent), revision });
  }
}

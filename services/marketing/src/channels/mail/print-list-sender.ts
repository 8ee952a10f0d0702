import type { Clock } from '@crm/kernel';
import { MAX_ADDRESS_LINES, type CampaignListsStore } from '../campaign-lists';
import type { MessageSender, OutboundMessage, SendOutcome } from '../message-sender';

/**
 * The mail channel: "sending" is putting the addressee on the campaign's print list, exported as
 * CSV for the print house (`GET /campaigns/{id}/print-list.csv`). The message's `to` is the postal
 * address one line per element, the addressee's name first (as it is printed on the envelope).
 * An address with no line beside the name, or more lines than the export has columns, cannot be
 * printed: a hard bounce.
 */
export class PrintListSender implements MessageSender {
  readonly channel = 'mail' as const;

  constructor(
    private readonly lists: CampaignListsStore,
    private readonly clock: Clock,
  ) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const lines = (Array.isArray(message.to) ? message.to : message.to.split(/\r?\n/)).map((l) => l.trim()).filter((l) => l !== '');
    const [name, ...address] = lines;
    if (!name || address.length === 0)
      return { status: 'bounced', kind: 'hard', reason: 'no postal address (the addressee’s name and at least one address line)' };
    if (address.length > MAX_ADDRESS_LINES) return { status: 'bounced', kind: 'hard', reason: `a postal address of more than ${MAX_ADDRESS_LINES} lines` };
    await this.lists.addPrint(message, name, address, this.clock.now());
    return { status: 'accepted', providerId: `print-list/${message.messageId}` };
  }
}

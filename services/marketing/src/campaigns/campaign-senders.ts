import type { Provider } from '@nestjs/common';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';

/**
 * The senders by channel until the channel adapters (SMTP, SMS, call list, print list in
 * `../channels`) are wired: an empty, mutable map — a channel without a sender defers its messages
 * (retried with backoff), and tests put in-memory senders in it. The adapters' provider replaces it.
 */
export const campaignSendersProvider: Provider = { provide: MESSAGE_SENDERS, useFactory: () => new Map<string, MessageSender>() };

import { INBOUND_MAIL_TYPES, InboundMailSecretGuard, type StreamRoute } from '@crm/service-kit';
import { ChannelCases } from './channel-cases';
import { channelStoreProvider } from './channel-store';
import { IvrController } from './ivr/ivr.controller';
import { IvrMenus } from './ivr/ivr-menus';
import { CallCommands } from './telephony/call-commands';
import { TelephonyController, TELEPHONY_FORM_ROUTES } from './telephony/telephony.controller';
import { TelephonySignatureGuard } from './telephony/telephony-signature.guard';
import { CaseRepliesController } from './email/case-replies.controller';
import { InboundMailController, INBOUND_MAIL_PATH } from './email/inbound-mail.controller';
import { MailCommands } from './email/mail-commands';
import { emailSenderProvider, MailOutboxService } from './email/mail-outbox.service';

/**
 * Every channel in and out of the contact centre (issue 12 §2), as the service module wires them:
 * the telephony webhooks and the IVR, inbound e-mail, replies and the mail outbox.
 */
export const CHANNEL_CONTROLLERS = [TelephonyController, IvrController, InboundMailController, CaseRepliesController];
export const CHANNEL_PROVIDERS = [
  channelStoreProvider,
  ChannelCases,
  CallCommands,
  IvrMenus,
  TelephonySignatureGuard,
  MailCommands,
  InboundMailSecretGuard,
  emailSenderProvider,
  MailOutboxService,
];
/** Routes whose body is a provider's form (`application/x-www-form-urlencoded`). */
export const CHANNEL_FORM_ROUTES: string[] = [...TELEPHONY_FORM_ROUTES];
/** Routes whose body the handler reads itself (the inbound-mail webhook's multipart). */
export const CHANNEL_STREAM_ROUTES: StreamRoute[] = [{ path: INBOUND_MAIL_PATH, types: INBOUND_MAIL_TYPES }];

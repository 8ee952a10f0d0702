import type { StreamRoute } from '@crm/service-kit';
import { ChannelCases } from './channel-cases';
import { channelStoreProvider } from './channel-store';
import { IvrController } from './ivr/ivr.controller';
import { IvrMenus } from './ivr/ivr-menus';
import { CallCommands } from './telephony/call-commands';
import { TelephonyController, TELEPHONY_FORM_ROUTES } from './telephony/telephony.controller';
import { TelephonySignatureGuard } from './telephony/telephony-signature.guard';

/**
 * Every channel in and out of the contact centre (issue 12 §2), as the service module wires them:
 * the telephony webhooks and the IVR.
 */
export const CHANNEL_CONTROLLERS = [TelephonyController, IvrController];
export const CHANNEL_PROVIDERS = [channelStoreProvider, ChannelCases, CallCommands, IvrMenus, TelephonySignatureGuard];
/** Routes whose body is a provider's form (`application/x-www-form-urlencoded`). */
export const CHANNEL_FORM_ROUTES: string[] = [...TELEPHONY_FORM_ROUTES];
/** Routes whose body the handler reads itself (the inbound-mail webhook's multipart). */
export const CHANNEL_STREAM_ROUTES: StreamRoute[] = [];

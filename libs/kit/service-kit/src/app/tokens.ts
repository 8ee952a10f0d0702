/** Injection tokens `ServiceKitModule` provides (globally): `@Inject(PLATFORM) platform: Platform`. */
/** The `Platform` (`@crm/platform`). */
export const PLATFORM = Symbol('PLATFORM');
/** The service's `ServiceConfig`. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** `platform.eventStore` (`EventStore` from `@crm/event-store`). */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** `platform.bus` (`IntegrationBus` from `@crm/bus`). */
export const BUS = Symbol('BUS');
/** Where "now" comes from (`Clock` from `@crm/kernel`): `systemClock` unless the app was given one (tests). */
export const CLOCK = Symbol('CLOCK');

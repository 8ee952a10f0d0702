import path from 'node:path';
import { PlatformConfig } from '@crm/config';
import { CURRENCY_CODES } from '@crm/kernel';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';

/**
 * Settings of one HTTP service: the platform's settings plus where it listens and how it checks
 * bearer tokens. Property names are the environment variable names (see `@crm/config`).
 *
 * The port's default belongs to each service, so a service loads a subclass made by
 * {@link serviceConfigClass}: `loadConfigOrExit(serviceConfigClass(3101))`.
 *
 * The key file settings may be left unset; read the effective values with {@link authSettings}
 * (defaults under `CRM_DATA_DIR/keys/`).
 */
export class ServiceConfig extends PlatformConfig {
  /** TCP port of the HTTP server. The default is the service's own (see `serviceConfigClass`). */
  @IsInt()
  @Min(1)
  @Max(65535)
  CRM_HTTP_PORT: number = 3000;

  @IsString()
  @IsNotEmpty()
  CRM_HTTP_HOST: string = '0.0.0.0';

  /** Expected `iss` of bearer tokens (the embedded mint signs with this issuer too). */
  @IsString()
  @IsNotEmpty()
  CRM_JWT_ISSUER: string = 'crm-embedded';

  /** Expected `aud` of bearer tokens. */
  @IsString()
  @IsNotEmpty()
  CRM_JWT_AUDIENCE: string = 'crm';

  /** JWKS endpoint of a real identity provider. When set, tokens are verified against it only. */
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'CRM_JWKS_URL must be an http(s) URL' })
  CRM_JWKS_URL?: string;

  /** Public keys (a JWKS file) tokens are verified against when CRM_JWKS_URL is not set. Default `<CRM_DATA_DIR>/keys/jwks.json`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_JWKS_FILE?: string;

  /** Private JWK of the embedded token mint (and of partner-portal's partner tokens). Default `<CRM_DATA_DIR>/keys/signing-key.json`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_SIGNING_KEY_FILE?: string;

  /**
   * How often the sales service's activity scheduler looks for notices that fell due (ms): the
   * latest an `ActivityDue` or reminder is recorded after its time. On every service because the
   * embedded host hands one environment to all of them and each refuses a `CRM_*` setting it does
   * not declare.
   */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_ACTIVITY_SCHEDULER_INTERVAL_MS: number = 1000;

  /**
   * The service's satisfaction survey links (issue 12 §6): the HMAC-SHA256 secret they are signed
   * with (at least 32 characters). Unset: a random secret kept in `<CRM_DATA_DIR>/keys/survey-secret`
   * (created on first use, mode 0600) — set it when several service processes must accept each
   * other's links. On every service for the same reason as the scheduler interval.
   */
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'CRM_SURVEY_SECRET must be at least 32 characters' })
  CRM_SURVEY_SECRET?: string;

  /**
   * The secret marketing signs its consent links with (one-click unsubscribe in every e-mail), at
   * least 32 characters. Unset: a random secret kept in `<CRM_DATA_DIR>/keys/consent-link-secret`
   * (created on first use, mode 0600) — set it when several marketing processes must accept each
   * other's links; changing it invalidates every link sent.
   */
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'CRM_CONSENT_LINK_SECRET must be at least 32 characters' })
  CRM_CONSENT_LINK_SECRET?: string;

  /** Days a satisfaction survey link stays valid after the case's resolution (then 410). */
  @IsInt()
  @Min(1)
  @Max(365)
  CRM_SURVEY_LINK_DAYS: number = 14;

  /**
   * How often the service's SLA timer looks for case warnings and breaches that fell due (ms): the
   * latest a `CaseSlaWarning` / `CaseSlaBreached` is recorded after its time (issue 12 §4). On every
   * service for the same reason as the activity scheduler's interval.
   */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_SLA_TIMER_INTERVAL_MS: number = 1000;

  /**
   * How often the service's SLA escalation executor carries out recorded `CaseEscalated` (ms): the
   * latest a case moves to the rule's team or the notification goes out after the escalation
   * (issue 12 §4). 0: only when its `tick()` is called (tests).
   */
  @ValidateIf((_o, v: unknown) => v !== 0)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_ESCALATION_INTERVAL_MS: number = 1000;

  /**
   * How often the service's case-follows-return process looks at its to-do list (ms): the latest a
   * case moves to waiting on the partner after its repair is assigned, or is resolved after its last
   * return closes (issue 12 §5). 0: only when its `tick()` is called (tests).
   */
  @ValidateIf((_o, v: unknown) => v !== 0)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_RETURN_FOLLOW_INTERVAL_MS: number = 1000;

  /**
   * How often marketing's trigger timer looks for due trigger timers (ms): the latest a delayed
   * offer, a lapse or an anniversary fires after its time (issue 13 §4). 0: only when its `tick()`
   * is called (tests).
   */
  @ValidateIf((_o, v: unknown) => v !== 0)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_TRIGGER_TIMER_INTERVAL_MS: number = 1000;

  /**
   * How often analytics re-assesses every buying customer's churn-risk band with the latest churn
   * model (ms; first at start, once a model exists), recording the bands that changed (issue 13 §2:
   * segments target them). Default a day; 0: only `POST /models/churn/assessments` (and tests).
   */
  @ValidateIf((_o, v: unknown) => v !== 0)
  @IsInt()
  @Min(60_000)
  @Max(604_800_000)
  CRM_CHURN_ASSESSMENT_INTERVAL_MS: number = 86_400_000;

  /**
   * The partner portal's token endpoint (issue 14 §1): failed attempts one client id may make in
   * CRM_PARTNER_TOKEN_FAILURE_WINDOW_MS before it is refused with 429 and `Retry-After` (per instance).
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  CRM_PARTNER_TOKEN_FAILURES_PER_CLIENT: number = 10;

  /** Failed token requests one network address may make in the window, whatever the client ids. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  CRM_PARTNER_TOKEN_FAILURES_PER_ADDRESS: number = 50;

  /** The sliding window failed token requests are counted in (ms; default 15 minutes). */
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  CRM_PARTNER_TOKEN_FAILURE_WINDOW_MS: number = 900_000;

  /**
   * The domain an escalation rule's `notify` user id is mailed at (`service-lead` →
   * `service-lead@<domain>`); absent: such a notification is logged as not deliverable (an `notify`
   * that is an e-mail address is mailed as it is).
   */
  @IsOptional()
  @Matches(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, { message: 'CRM_ESCALATION_NOTIFY_DOMAIN must be a domain name' })
  CRM_ESCALATION_NOTIFY_DOMAIN?: string;

  /**
   * How often the service's case router (issue 12 §3) records expired offers and offers waiting cases
   * to agents (ms): the latest a `CaseOfferExpired` is recorded after its time. On every service for
   * the same reason as CRM_ACTIVITY_SCHEDULER_INTERVAL_MS.
   */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_ROUTING_INTERVAL_MS: number = 1000;

  /** How long an agent has to accept or decline a case offered to it (seconds) before the offer expires and the case goes to the next agent. */
  @IsInt()
  @Min(5)
  @Max(86_400)
  CRM_ROUTING_OFFER_TIMEOUT_SECONDS: number = 30;

  /**
   * How long the company's warranty runs from the order date (whole months): a return of an item
   * bought within it is authorised in warranty (issue 12 §5). On every service for the same reason
   * as CRM_REPORTING_CURRENCY (the embedded host hands one environment to all of them).
   */
  @IsInt()
  @Min(1)
  @Max(240)
  CRM_WARRANTY_MONTHS: number = 24;

  /**
   * The company's reporting currency (ISO 4217, in capitals): analytics converts every order into it
   * (issue 11 §1). On every service because the embedded host hands one environment to all of them
   * and each refuses a `CRM_*` setting it does not declare.
   */
  @IsIn(CURRENCY_CODES, { message: 'CRM_REPORTING_CURRENCY must be an ISO 4217 currency code with a minor unit, in capitals (EUR, USD, IDR)' })
  CRM_REPORTING_CURRENCY: string = 'EUR';

  // Lifetime value defaults of analytics (issue 11 §2, §4; docs/analytics.md). On every service for
  // the same reason as CRM_REPORTING_CURRENCY.
  /** Default CLV horizon in months (`GET /customers/{id}/value?horizon=`), and the one value tiers are ranked with. */
  @IsInt()
  @Min(1)
  @Max(600)
  CRM_CLV_HORIZON_MONTHS: number = 12;

  /** Default discount rate per month (0.01 = 1% a month). */
  @IsNumber({}, { message: 'CRM_CLV_DISCOUNT_RATE must be a number from 0 to 1 (a rate per month)' })
  @Min(0)
  @Max(1)
  CRM_CLV_DISCOUNT_RATE: number = 0.01;

  /** Default margin: the share of spend that is profit (1 = CLV in revenue). */
  @IsNumber({}, { message: 'CRM_CLV_MARGIN must be a number from 0 to 1' })
  @Min(0)
  @Max(1)
  CRM_CLV_MARGIN: number = 1;

  /** The time unit of the current valuation's models (the one value tiers and `GET /customers/{id}/value` use). */
  @IsIn(['day', 'week'])
  CRM_CLV_UNIT: 'day' | 'week' = 'week';

  /** Value tiers as cumulative top shares of customers by CLV, in percent; bronze is the rest. */
  @Matches(/^platinum:\d+(\.\d+)?,gold:\d+(\.\d+)?,silver:\d+(\.\d+)?$/, {
    message: 'CRM_VALUE_TIERS must read platinum:<percent>,gold:<percent>,silver:<percent>, e.g. platinum:1,gold:5,silver:20',
  })
  CRM_VALUE_TIERS: string = 'platinum:1,gold:5,silver:20';

  /** Customer profitability: the cost of goods as a share of revenue (orders carry prices, not costs), 0..1. */
  @IsNumber({}, { message: 'CRM_COST_OF_GOODS_SHARE must be a number from 0 to 1' })
  @Min(0)
  @Max(1)
  CRM_COST_OF_GOODS_SHARE: number = 0;

  /** Customer profitability: what serving one case (or return/repair) costs, integer minor units of the reporting currency. */
  @IsInt({ message: 'CRM_COST_PER_CASE must be a whole number of minor units of the reporting currency' })
  @Min(0)
  @Max(1_000_000_000)
  CRM_COST_PER_CASE: number = 0;

  /** Customer profitability: what one campaign touch costs, integer minor units of the reporting currency. */
  @IsInt({ message: 'CRM_COST_PER_CAMPAIGN_TOUCH must be a whole number of minor units of the reporting currency' })
  @Min(0)
  @Max(1_000_000_000)
  CRM_COST_PER_CAMPAIGN_TOUCH: number = 0;

  // The contact centre's channels (issue 12 §2; docs/service.md "Connecting a telephony provider",
  // "Connecting an inbound-mail provider"). On every service for the same reason as CRM_REPORTING_CURRENCY.
  /** The telephony provider's auth token: its webhooks are signed with it (`X-Twilio-Signature`). Unset: the telephony webhooks answer 503. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_TELEPHONY_AUTH_TOKEN?: string;

  /**
   * The public base URL the telephony provider calls (e.g. `https://crm.example.com/service`): the
   * signature covers the full URL as the provider saw it, which a proxy in between changes. Unset:
   * the URL as the request arrived (protocol, Host header, path and query).
   */
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'CRM_TELEPHONY_WEBHOOK_BASE_URL must be an http(s) URL' })
  CRM_TELEPHONY_WEBHOOK_BASE_URL?: string;

  /** The secret an inbound-mail provider presents (in the URL `?key=` or as the basic-auth password). Unset: the inbound-mail webhook answers 503. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_INBOUND_MAIL_SECRET?: string;

  /** Outgoing mail server, `smtp://user:password@host:port` (or `smtps://`). Unset: replies are logged and marked sent by a logging mailer (embedded default). */
  @IsOptional()
  @IsUrl({ protocols: ['smtp', 'smtps'], require_protocol: true, require_tld: false }, { message: 'CRM_SMTP_URL must be an smtp:// or smtps:// URL' })
  CRM_SMTP_URL?: string;

  /** The address case replies are sent from (and whose domain the Message-IDs carry); customers answer to it. */
  @IsString()
  @Matches(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'CRM_MAIL_FROM must be an e-mail address' })
  CRM_MAIL_FROM: string = 'service@crm.localhost';

  /**
   * Days the partner portal keeps its access log (which partner read which customer, when; issue 14
   * §1): older entries are deleted by the log's tick. 400 covers a yearly review with a month to spare.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  CRM_PARTNER_ACCESS_LOG_RETENTION_DAYS: number = 400;

  /**
   * How often the partner portal writes its buffered access log entries and prunes old ones (ms). 0:
   * only when a test calls its tick (entries are still written at 100 buffered, before a query and at shutdown).
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: number = 1000;

  /**
   * Days a channel manager has to approve or reject a partner's deal registration (issue 14 §3);
   * one not reviewed by then expires (`DealRegistrationExpired`, reason `not-reviewed`). Five: a working week.
   */
  @IsInt()
  @Min(1)
  @Max(365)
  CRM_DEAL_APPROVAL_DAYS: number = 5;

  /**
   * Days an approved deal registration protects the deal for its partner (issue 14 §3); then it
   * expires (`protection-ended`). Ninety: a typical B2B sales cycle, the common channel-programme default.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  CRM_DEAL_PROTECTION_DAYS: number = 90;

  /**
   * Heartbeat of the live timelines (server-sent events), ms: a comment that keeps proxies from
   * closing an idle stream, and — on a partner's stream — the moment its share is checked again, so
   * a share that expired (which records no event) ends the stream within one heartbeat.
   */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CRM_LIVE_HEARTBEAT_MS: number = 15_000;

  /** How often the partner portal's deal registration tick expires due registrations and opens approved deals' episodes (ms). 0: only when a test ticks. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  CRM_DEAL_REGISTRATION_INTERVAL_MS: number = 60_000;

  /**
   * Hours a partner has to accept or decline a lead offered to it (issue 14 §4); an offer not
   * answered by then expires and the lead goes to the next partner. 48: two working days, long enough
   * for a partner to call the prospect back, short enough that a hot lead does not go cold.
   */
  @IsInt()
  @Min(1)
  @Max(8760)
  CRM_LEAD_OFFER_HOURS: number = 48;

  /** How often the partner portal's lead distribution tick expires overdue offers and re-routes them (ms). 0: only when a test ticks. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  CRM_LEAD_DISTRIBUTION_INTERVAL_MS: number = 60_000;

  /**
   * The key partner webhook secrets are derived from (issue 14 §5): a subscription's secret is
   * `whsec_` + base64(HMAC-SHA256(key, "<subscriptionId>:<secretVersion>")), so no secret is ever
   * stored or recorded. At least 32 characters. Required by the partner portal in distributed mode
   * (every instance must sign alike); unset in embedded mode: a random key kept in
   * `<CRM_DATA_DIR>/keys/partner-webhook-key` (created on first use, mode 0600). Changing it changes
   * every subscription's secret.
   */
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'CRM_PARTNER_WEBHOOK_KEY must be at least 32 characters' })
  CRM_PARTNER_WEBHOOK_KEY?: string;

  /** `true` lets partner webhooks use plain http:// URLs (tests, a local embedded setup); otherwise https only. */
  @IsIn(['true', 'false'], { message: 'CRM_PARTNER_WEBHOOK_ALLOW_HTTP must be true or false' })
  CRM_PARTNER_WEBHOOK_ALLOW_HTTP: 'true' | 'false' = 'false';

  /** Attempts of one webhook delivery before it is dead-lettered (`dead`); 8 with a 10 s base and a 1 h cap spans about 20 minutes. */
  @IsInt()
  @Min(1)
  @Max(50)
  CRM_PARTNER_WEBHOOK_MAX_ATTEMPTS: number = 8;

  /** How long one webhook request may take before it counts as failed (ms). */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CRM_PARTNER_WEBHOOK_TIMEOUT_MS: number = 5000;

  /** How often the webhook dispatcher looks for deliveries due (ms). 0: only when a test ticks. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  CRM_PARTNER_WEBHOOK_INTERVAL_MS: number = 1000;

  /** How often the mail outbox looks for replies to send (ms). */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_MAIL_OUTBOX_INTERVAL_MS: number = 1000;

  /** A call or a new e-mail thread of a customer continues the customer's open case whose last entry is at most this old (hours); else a new case opens. */
  @IsInt()
  @Min(0)
  @Max(8760)
  CRM_CASE_CONTINUATION_HOURS: number = 72;

  /**
   * Marketing's SMS provider (issue 13 §3): campaign texts are POSTed there as JSON (docs/marketing.md,
   * Channels). Unset: SMS are logged (ids only) and not sent, like e-mail without `CRM_SMTP_URL`.
   */
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'CRM_SMS_URL must be an http(s) URL' })
  CRM_SMS_URL?: string;

  /** The bearer token marketing presents to the SMS provider. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_SMS_TOKEN?: string;

  /**
   * How often marketing's campaign dispatcher looks for messages that fell due (ms): starts scheduled
   * campaigns, sends (within each campaign's throttle), retries deferrals (issue 13 §3). 0: only when
   * a test calls its tick. On every service for the same reason as CRM_ACTIVITY_SCHEDULER_INTERVAL_MS.
   */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: number = 1000;

  /**
   * The public address of the marketing service as customers reach it (`https://crm.example.com/marketing`):
   * one-click unsubscribe links, tracking pixels, tracked links, preference-centre and confirmation links
   * in messages start with it. Unset: `http://localhost:<CRM_HTTP_PORT>` (embedded, links work on this machine only).
   */
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'CRM_MARKETING_PUBLIC_URL must be an http(s) URL' })
  CRM_MARKETING_PUBLIC_URL?: string;

  /**
   * A cap on campaign messages per customer across every campaign, "N per D days" (`3 per 7 days`):
   * judged by marketing's dispatcher at send time, a message beyond it is suppressed `frequency-cap`.
   * Unset: no cap.
   */
  @IsOptional()
  @Matches(/^\s*[1-9]\d{0,2}\s+per\s+[1-9]\d{0,2}\s+days?\s*$/i, { message: 'CRM_MARKETING_FREQUENCY_CAP must be "N per D days" (3 per 7 days)' })
  CRM_MARKETING_FREQUENCY_CAP?: string;

  /** The address campaign e-mails are sent from. */
  @IsString()
  @Matches(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'CRM_CAMPAIGN_FROM must be an e-mail address' })
  CRM_CAMPAIGN_FROM: string = 'marketing@crm.localhost';

  /**
   * The address customers' answers to campaign e-mails should go to (`Reply-To`): the address whose
   * inbound-parse route posts to marketing's POST /channels/email/inbound, so a reply is recorded as
   * the customer's response. Unset: no Reply-To, answers go to CRM_CAMPAIGN_FROM.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'CRM_CAMPAIGN_REPLY_TO must be an e-mail address' })
  CRM_CAMPAIGN_REPLY_TO?: string;

  /**
   * The secret the e-mail provider signs its delivery-event webhooks with (Standard Webhooks:
   * HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`; POST /channels/email/events). Either
   * the provider's `whsec_<base64>` form (the key is the decoded bytes) or any text of at least 32
   * characters (the key is its UTF-8 bytes). Unset: the route answers 404, as if it did not exist.
   */
  @IsOptional()
  @IsString()
  @Matches(/^(whsec_[A-Za-z0-9+/]{32,}={0,2}|(?!whsec_).{32,})$/s, {
    message: 'CRM_EMAIL_WEBHOOK_SECRET must be whsec_<base64 of at least 24 bytes> or at least 32 characters',
  })
  CRM_EMAIL_WEBHOOK_SECRET?: string;

  /**
   * The key of marketing's e-mail suppression list (issue 13 §3): an address is kept there only as
   * HMAC-SHA256 of the trimmed, lower-cased address under this secret, at least 32 characters. Unset:
   * a random secret kept in `<CRM_DATA_DIR>/keys/email-suppression-secret` (created on first use,
   * mode 0600) — set it when several marketing processes share one store. Changing it empties the
   * list in effect: no stored key matches an address any more.
   */
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/s, { message: 'CRM_EMAIL_SUPPRESSION_SECRET must be at least 32 characters' })
  CRM_EMAIL_SUPPRESSION_SECRET?: string;

  /**
   * How often marketing's segment membership processor re-evaluates the customers whose facts
   * changed (ms): at the latest a `SegmentEntered` / `SegmentLeft` is recorded this long after the
   * fact that caused it reached marketing's read model (issue 13 §2).
   */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  CRM_SEGMENT_PROCESSOR_INTERVAL_MS: number = 1000;

  /**
   * How often a segment whose rule moves with time alone (a window, RFM) is re-evaluated over every
   * customer (ms): "bought in the last 30 days" loses a customer when the 30 days pass, not only
   * when a fact changes. Default hourly.
   */
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  CRM_SEGMENT_REEVALUATE_MS: number = 3_600_000;

  // HTTP hardening (issue 15 §5; docs/operations.md "HTTP hardening").
  /**
   * Browser origins allowed to call the service cross-origin (CORS), a comma list of
   * `scheme://host[:port]`. Unset: none — a browser page of another origin cannot read the answers
   * (same-origin only); servers and the partner systems' back ends are not affected by CORS.
   */
  @IsOptional()
  @Transform(csv)
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s,]+$/, {
    each: true,
    message: 'CRM_CORS_ORIGINS must be a comma list of origins, e.g. https://crm.example.com,http://localhost:5173',
  })
  CRM_CORS_ORIGINS?: string[];

  /**
   * Requests one client address may make per minute to one service process (over every route but
   * `/health*` and `/metrics`); beyond it 429 with `Retry-After`. Counted per process (in memory).
   * Generous by default: it stops floods, not users. 0: no limit.
   */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  CRM_RATE_LIMIT_PER_MINUTE: number = 10_000;

  /**
   * How many proxies in front of the service to trust for the client address (`X-Forwarded-For`):
   * behind a Gateway/ingress set 1, or every client counts as the gateway's address for the rate
   * limit. 0: the TCP peer is the client.
   */
  @IsInt()
  @Min(0)
  @Max(10)
  CRM_TRUST_PROXY_HOPS: number = 0;
}

/** Splits a comma list setting (`a, b`) into its trimmed, non-empty items. */
function csv({ value }: { value: unknown }): unknown {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
}

/** A `ServiceConfig` whose `CRM_HTTP_PORT` defaults to `defaultPort`; pass it to `loadConfig`. */
export function serviceConfigClass(defaultPort: number): new () => ServiceConfig {
  if (!Number.isInteger(defaultPort) || defaultPort < 1 || defaultPort > 65535) throw new RangeError(`default port ${defaultPort} is not in 1..65535`);
  return class extends ServiceConfig {
    override CRM_HTTP_PORT: number = defaultPort;
  };
}

/** The effective authentication settings, defaults resolved. */
export interface AuthSettings {
  readonly issuer: string;
  readonly audience: string;
  /** Remote JWKS of an identity provider; undefined = verify against `jwksFile`. */
  readonly jwksUrl: URL | undefined;
  /** Absolute path of the JWKS file tokens are verified against (when no `jwksUrl`). */
  readonly jwksFile: string;
  /** True when CRM_JWKS_FILE was not set: the kit may create the embedded key pair there. */
  readonly jwksFileIsDefault: boolean;
  /** Absolute path of the private JWK the embedded mint signs with. */
  readonly signingKeyFile: string;
  /** True when CRM_SIGNING_KEY_FILE was not set: the kit may create the key there. */
  readonly signingKeyFileIsDefault: boolean;
  /** Absolute path of the directory the default key files live in (`<CRM_DATA_DIR>/keys`). */
  readonly keysDir: string;
}

export function authSettings(config: ServiceConfig): AuthSettings {
  const keysDir = path.resolve(config.CRM_DATA_DIR, 'keys');
  return {
    issuer: config.CRM_JWT_ISSUER,
    audience: config.CRM_JWT_AUDIENCE,
    jwksUrl: config.CRM_JWKS_URL ? new URL(config.CRM_JWKS_URL) : undefined,
    jwksFile: config.CRM_JWKS_FILE ? path.resolve(config.CRM_JWKS_FILE) : path.join(keysDir, DEFAULT_JWKS_FILE),
    jwksFileIsDefault: !config.CRM_JWKS_FILE,
    signingKeyFile: config.CRM_SIGNING_KEY_FILE ? path.resolve(config.CRM_SIGNING_KEY_FILE) : path.join(keysDir, DEFAULT_SIGNING_KEY_FILE),
    signingKeyFileIsDefault: !config.CRM_SIGNING_KEY_FILE,
    keysDir,
  };
}

export const DEFAULT_JWKS_FILE = 'jwks.json';
export const DEFAULT_SIGNING_KEY_FILE = 'signing-key.json';

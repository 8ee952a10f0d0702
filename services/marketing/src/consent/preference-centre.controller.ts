import { Body, Controller, Get, Headers, HttpCode, Inject, Ip, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CONSENT_CHANNELS, SLUG_ID, type Clock, type ConsentChannel } from '@crm/kernel';
import { mayContact, type ConsentState } from '@crm/consent';
import { NotFoundError } from '@crm/relationship-api';
import {
  ApiProblem,
  CLOCK,
  CurrentPrincipal,
  HttpProblem,
  ProblemTypes,
  Public,
  RequireKind,
  SERVICE_CONFIG,
  UuidParam,
  type Principal,
  type ServiceConfig,
} from '@crm/service-kit';
import { StaffRouteErrors, UNAUTHORISED } from '../marketing.openapi';
import { publicBaseOf } from '../tracking/tracking-links';
import { ConsentCommands } from './consent-commands';
import { linkProblemPage, sendHtml, type HtmlResponse } from './consent-html';
import { PREFERENCE_LINKS, type PreferenceLinks } from './consent-links';
import { DEFAULT_PREFERENCE_PURPOSES, messagePage, PREFERENCE_TEXT_VERSION, preferencePage, type PreferenceRow } from './consent-pages';
import { ApiHtmlPage, LinkPageErrors } from './link-pages.openapi';

/** More boxes than any page shows: a form with more is not one the page sent. */
/** The 404 page of a preference link whose customer was erased. */
const CUSTOMER_GONE = 'The customer no longer exists (an HTML page)';
const MAX_CHOICES = 200;
const CHOICE = new RegExp(`^(${CONSENT_CHANNELS.join('|')})/(${SLUG_ID.source.replace(/^\^|\$$/g, '')})$`);

export class PreferenceQueryDto {
  @ApiProperty({ description: 'The signed token of the customer’s preference link' }) @IsString() @IsNotEmpty() @MaxLength(1024) t!: string;
}

/** The form the page posts (`application/x-www-form-urlencoded`): `shown` every box on the page, `on` the ticked ones (repeated fields). */
export class PreferenceFormDto {
  @ApiProperty({
    description: 'Every permission the page showed (`<channel>/<purpose>`), repeated',
    type: [String],
    example: ['email/newsletter', 'email/offers'],
  })
  @Allow() // checked by the route: a string or strings of a form, each a box the page showed
  shown!: string | string[];
  @ApiPropertyOptional({ description: 'The permissions left ticked, repeated; absent: none', type: [String], example: ['email/newsletter'] })
  @Allow()
  on?: string | string[];
}

export class PreferenceLinkDto {
  @ApiProperty({ description: 'The customer’s preference-centre link (on CRM_MARKETING_PUBLIC_URL); the same every time, it does not expire' }) url!: string;
  @ApiProperty({ description: 'Path and query on the marketing service’s public address' }) path!: string;
}

function choices(field: 'shown' | 'on', value: unknown): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const bad = (message: string) => new HttpProblem(400, `the request is invalid: ${field}`, { type: ProblemTypes.validation, errors: [{ field, message }] });
  if (list.length > MAX_CHOICES) throw bad(`${field} has at most ${MAX_CHOICES} entries`);
  for (const v of list) if (typeof v !== 'string' || !CHOICE.test(v)) throw bad(`${field} entries are <channel>/<purpose> (email/newsletter)`);
  return list as string[];
}

/** The rows the page shows: every channel with the default purposes and every purpose the customer has a statement or a request on. */
export function preferenceRows(state: ConsentState, now: string): PreferenceRow[] {
  const purposes = new Set<string>(DEFAULT_PREFERENCE_PURPOSES);
  for (const p of Object.values(state.permissions)) purposes.add(p.purpose);
  for (const r of Object.values(state.requests)) purposes.add(r.purpose);
  return CONSENT_CHANNELS.flatMap((channel) =>
    [...purposes].sort().map((purpose) => {
      const decision = mayContact(state, channel, purpose, now);
      return { channel, purpose, granted: decision.allowed, awaiting: !decision.allowed && decision.reason === 'awaiting-confirmation' };
    }),
  );
}

/** Staff: the signed preference-centre link of a customer, to put in a message. */
@ApiTags('consent')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class PreferenceLinkController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(PREFERENCE_LINKS) private readonly links: PreferenceLinks,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get(':id/consent/preference-link')
  @ApiOperation({ summary: 'The customer’s preference-centre link (signed, the same every time, no expiry)' })
  @ApiOkResponse({
    type: PreferenceLinkDto,
    schema: { example: { url: 'https://crm.example.com/marketing/preferences?t=eyJ2Ijox…', path: '/preferences?t=eyJ2Ijox…' } },
  })
  @ApiProblem(400, 'The id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @StaffRouteErrors({ unauthorised: UNAUTHORISED.bad, forbidden: 'Not staff', notFound: 'No such customer' })
  async link(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<PreferenceLinkDto> {
    await this.consent.view(p, id); // staff only, an existing customer
    const path = `/preferences?t=${this.links.preferenceToken(id)}`;
    return { url: `${publicBaseOf(this.config).replace(/\/+$/, '')}${path}`, path };
  }
}

/**
 * The preference centre (issue 13 §1), public: the signed link is the credential. `GET` shows every
 * channel × purpose with its state; `POST` (the page's form) grants what is ticked and withdraws what
 * is not, source `preference-centre`, with the page's text version, the address and the browser as
 * evidence — in force before the answer, so before the next message.
 */
@ApiTags('consent')
@Public()
@Controller('preferences')
export class PreferenceCentreController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(PREFERENCE_LINKS) private readonly links: PreferenceLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The preference centre page (HTML): every channel and purpose with a labelled box, ticked where permitted' })
  @ApiProduces('text/html')
  @ApiResponse({
    status: 200,
    description: 'The page',
    content: { 'text/html': { schema: { type: 'string' }, example: '<!doctype html>…<form method="post"…' } },
  })
  @LinkPageErrors({ notFound: CUSTOMER_GONE })
  async show(@Query() q: PreferenceQueryDto, @Res() res: HtmlResponse): Promise<void> {
    const customerId = this.customerOf(q.t, res);
    if (!customerId) return;
    const state = await this.stateOf(customerId, res);
    if (state) sendHtml(res, 200, preferencePage(q.t, preferenceRows(state, this.clock.now().toISOString())));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Save the preference centre’s choices: ticked granted, unticked withdrawn (source preference-centre); answers the page again' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: PreferenceFormDto, examples: { form: { value: { shown: ['email/newsletter', 'email/offers'], on: ['email/newsletter'] } } } })
  @ApiProduces('text/html')
  @ApiHtmlPage(200, 'The page with the choices saved')
  @LinkPageErrors({
    notFound: CUSTOMER_GONE,
    form: true,
    badRequest: {
      description: 'No token, or a form this page did not send (`errors` names the field)',
      example: { errors: [{ field: 'on', message: 'on entries are <channel>/<purpose> (email/newsletter)' }] },
    },
  })
  async save(
    @Query() q: PreferenceQueryDto,
    @Body() form: PreferenceFormDto,
    @Ip() ip: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res() res: HtmlResponse,
  ): Promise<void> {
    const shown = choices('shown', form.shown);
    if (shown.length === 0)
      throw new HttpProblem(400, 'the request is invalid: shown', {
        type: ProblemTypes.validation,
        errors: [{ field: 'shown', message: 'shown should not be empty' }],
      });
    const on = new Set(choices('on', form.on));
    for (const key of on)
      if (!shown.includes(key))
        throw new HttpProblem(400, 'the request is invalid: on', {
          type: ProblemTypes.validation,
          errors: [{ field: 'on', message: `on names ${key}, which the page did not show` }],
        });
    const customerId = this.customerOf(q.t, res);
    if (!customerId) return;
    if (!(await this.stateOf(customerId, res))) return;
    const wanted = [...new Set(shown)].map((key) => {
      const [channel, purpose] = key.split('/') as [ConsentChannel, string];
      return { channel, purpose, granted: on.has(key) };
    });
    const changed = await this.consent.setPreferences(
      customerId,
      wanted,
      { textVersion: PREFERENCE_TEXT_VERSION, ...(ip && { ipAddress: ip.slice(0, 100) }), ...(userAgent && { userAgent: userAgent.slice(0, 500) }) },
      correlationId,
    );
    const state = await this.consent.current(customerId);
    const status = changed.length === 0 ? 'Nothing changed.' : `Saved: ${changed.length} change${changed.length === 1 ? '' : 's'}.`;
    sendHtml(res, 200, preferencePage(q.t, preferenceRows(state, this.clock.now().toISOString()), status));
  }

  private customerOf(token: string, res: HtmlResponse): string | undefined {
    try {
      return this.links.readPreference(token, this.clock.now()).customerId;
    } catch (error) {
      linkProblemPage(res, error, 'Ask us for a new link.');
      return undefined;
    }
  }

  private async stateOf(customerId: string, res: HtmlResponse): Promise<ConsentState | undefined> {
    try {
      return await this.consent.current(customerId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      sendHtml(res, 404, messagePage('Not found', ['We hold no record for this link any more.']));
      return undefined;
    }
  }
}

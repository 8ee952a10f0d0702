import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { CommandOptions } from '@crm/relationship-api';
import {
  ApiProblem,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  RequireKind,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { ConsentCommands, type ConsentHistoryView, type ConsentView } from './consent-commands';
import {
  ConsentAsOfQueryDto,
  ConsentDto,
  ConsentHistoryDto,
  GrantConsentDto,
  UnsubscribeLinkDto,
  UnsubscribeLinkQueryDto,
  WithdrawConsentDto,
} from './consent.dto';
import { CONSENT_LINKS, type ConsentLinks } from './consent-links';

const IF_MATCH = {
  name: 'if-match',
  required: false,
  description: 'The ETag ("<revision>") of the customer’s consent as last read: a stale one is 412',
  example: '"2"',
};
const EXAMPLE: ConsentView = {
  customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
  permissions: [
    {
      channel: 'email',
      purpose: 'newsletter',
      status: 'granted',
      since: '2026-05-01T10:00:00.000Z',
      source: 'form',
      basis: { eventId: '5b1e3c2a-7d4f-4e8a-9c6b-1a2b3c4d5e6f', position: '1042/9137', revision: '0' },
    },
  ],
  channelOptOuts: [],
  awaitingConfirmation: [],
  revision: '0',
};
/** The If-Match header, 412, 409 and 415 of a change to a customer's consent (the 404 is the controller's). */
const consentErrors = () => IfMatchCommandErrors({ ifMatch: IF_MATCH });
const options = (ifMatch: string | undefined, correlationId: string | undefined): CommandOptions => ({
  expectedRevision: expectedRevisionFromIfMatch(ifMatch),
  correlationId,
});

/**
 * A customer's marketing permissions (issue 13 §1): what held at any instant, each permission with
 * the event and store position it rests on; staff record a consent given (with the evidence its
 * source needs) or withdrawn. Staff only — partners never see consent; analytics reads, does not record.
 */
@ApiTags('consent')
@ApiBearerAuth()
@RequireKind('staff')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff (reading), or staff of a department that does not record consent (analytics)')
@ApiNotFoundResponse({ description: 'No such customer' })
@Controller('customers')
export class ConsentController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(CONSENT_LINKS) private readonly links: ConsentLinks,
  ) {}

  @Get(':id/consent/unsubscribe-link')
  @ApiOperation({ summary: 'The one-click unsubscribe link (RFC 8058) to put in a message: its path and the two headers, the same every time' })
  @ApiOkResponse({
    type: UnsubscribeLinkDto,
    schema: {
      example: {
        path: '/unsubscribe?t=eyJ2Ijox…',
        headers: { 'List-Unsubscribe': '<https://crm.example.com/marketing/unsubscribe?t=eyJ2Ijox…>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      },
    },
  })
  @ApiProblem(400, 'A bad channel or purpose', {
    errors: [{ field: 'channel', message: 'channel must be one of the following values: email, sms, phone, mail' }],
  })
  async unsubscribeLink(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Query() q: UnsubscribeLinkQueryDto): Promise<UnsubscribeLinkDto> {
    await this.consent.view(p, id); // staff only, an existing customer
    const path = `/unsubscribe?t=${this.links.unsubscribeToken({ customerId: id, ...q })}`;
    return { path, headers: { 'List-Unsubscribe': `<${path}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
  }

  @Get(':id/consent')
  @ApiOperation({ summary: 'What the customer agreed to, per channel and purpose, now or as it stood at `asOf`' })
  @ApiOkResponse({ type: ConsentDto, description: 'The permissions; ETag the consent stream’s revision', schema: { example: EXAMPLE } })
  @ApiProblem(400, 'A bad asOf', { errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant' }] })
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Query() q: ConsentAsOfQueryDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ConsentView> {
    const view = await this.consent.view(p, id, q.asOf ? new Date(q.asOf) : undefined);
    if (view.revision !== undefined && !q.asOf) setEtag(res, BigInt(view.revision));
    return view;
  }

  @Get(':id/consent/history')
  @ApiOperation({ summary: 'Every consent requested, granted and withdrawn, per channel and purpose, newest first (personal evidence stays sealed)' })
  @ApiOkResponse({
    type: ConsentHistoryDto,
    description: 'The history',
    schema: {
      example: {
        customerId: EXAMPLE.customerId,
        entries: [
          {
            kind: 'withdrawn',
            channel: 'email',
            purpose: 'newsletter',
            source: 'staff',
            at: '2026-06-02T09:30:00.000Z',
            recordedBy: 'mira',
            basis: { eventId: '7c2d4e6f-8a1b-4c3d-9e5f-0a1b2c3d4e5f', position: '2210/9904', revision: '1' },
          },
          {
            kind: 'granted',
            channel: 'email',
            purpose: 'newsletter',
            source: 'form',
            at: '2026-05-01T10:00:00.000Z',
            recordedBy: 'web',
            textVersion: 'newsletter-2026-03',
            formId: 'footer-signup',
            basis: { eventId: '5b1e3c2a-7d4f-4e8a-9c6b-1a2b3c4d5e6f', position: '1042/9137', revision: '0' },
          },
        ],
        revision: '1',
      },
    },
  })
  @ApiProblem(400, 'A bad customer id', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  async history(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string): Promise<ConsentHistoryView> {
    return this.consent.history(p, id);
  }

  @Post(':id/consent/grants')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a consent the customer gave, with its evidence (a grant already in force records nothing)' })
  @ApiBody({
    type: GrantConsentDto,
    examples: {
      form: { value: { channel: 'email', purpose: 'newsletter', source: 'form', evidence: { textVersion: 'newsletter-2026-03', formId: 'footer-signup' } } },
      phone: { value: { channel: 'sms', purpose: 'offers', source: 'staff', evidence: { note: 'asked on the phone for offers by SMS' } } },
    },
  })
  @ApiOkResponse({ type: ConsentDto, description: 'The permissions now; ETag', schema: { example: EXAMPLE } })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'channel', message: 'channel must be one of the following values: email, sms, phone, mail' }],
  })
  @consentErrors()
  @ApiProblem(422, 'A rule was broken; `code` names it (consent-evidence, consent-out-of-order)', { code: 'consent-evidence' })
  async grant(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: GrantConsentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ConsentView> {
    await this.consent.grant(p, id, dto, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post(':id/consent/withdrawals')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a consent withdrawn: one purpose, or (no purpose) the whole channel; withdrawing what is withdrawn records nothing' })
  @ApiBody({
    type: WithdrawConsentDto,
    examples: {
      purpose: { value: { channel: 'email', purpose: 'newsletter', source: 'staff', evidence: { note: 'asked by phone to stop the newsletter' } } },
      channel: { value: { channel: 'sms', source: 'complaint', evidence: { note: 'complained about texts' } } },
    },
  })
  @ApiOkResponse({ type: ConsentDto, description: 'The permissions now; ETag', schema: { example: EXAMPLE } })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'source', message: 'source must be one of the following values: …' }] })
  @consentErrors()
  @ApiProblem(422, 'A rule was broken; `code` names it (consent-out-of-order)', { code: 'consent-out-of-order' })
  async withdraw(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: WithdrawConsentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ConsentView> {
    await this.consent.withdraw(p, id, dto, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  private async answer(p: Principal, id: string, res: HeaderResponse): Promise<ConsentView> {
    const view = await this.consent.view(p, id);
    if (view.revision !== undefined) setEtag(res, BigInt(view.revision));
    return view;
  }
}

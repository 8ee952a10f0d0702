import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Ip, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { NestedObject } from '@crm/contracts';
import { CONSENT_CHANNELS, SLUG_ID, type Clock, type ConsentChannel, type ConsentGrantSource } from '@crm/kernel';
import { DomainRuleViolation, NotFoundError } from '@crm/relationship-api';
import { ApiProblem, CLOCK, CurrentPrincipal, Public, RequireKind, SERVICE_CONFIG, UuidParam, type Principal, type ServiceConfig } from '@crm/service-kit';
import { MESSAGE_SENDERS, type MessageSender, type SendOutcome } from '../channels/message-sender';
import { StaffRouteErrors, UNAUTHORISED } from '../marketing.openapi';
import { publicBaseOf } from '../tracking/tracking-links';
import { ConsentCommands } from './consent-commands';
import { linkProblemPage, sendHtml, type HtmlResponse } from './consent-html';
import { PREFERENCE_LINKS, type PreferenceLinks } from './consent-links';
import { confirmationMessage, confirmPage, messagePage } from './consent-pages';
import { ApiHtmlPage, LinkPageErrors } from './link-pages.openapi';
import { PreferenceQueryDto } from './preference-centre.controller';

/** How long a confirmation link works (within the decider's 30 days). */
export const CONFIRMATION_DAYS = 7;
/** The 404 and 410 pages of a confirmation link (both routes). */
const REQUEST_GONE = 'The request is not known (an HTML page)';
const LINK_EXPIRED = 'The link expired (an HTML page)';
const REQUEST_SOURCES = ['form', 'preference-centre'] as const satisfies readonly ConsentGrantSource[];

export class RequestEvidenceDto {
  @ApiProperty({ description: 'The version of the consent text the customer saw', example: 'newsletter-2026-03' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  textVersion!: string;
  @ApiPropertyOptional({ description: 'The form it was given on', example: 'footer-signup' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  formId?: string;
  @ApiPropertyOptional({ description: 'The address the customer submitted from (personal data, sealed)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  ipAddress?: string;
  @ApiPropertyOptional({ description: 'The customer’s browser (personal data, sealed)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  userAgent?: string;
}

export class ConsentRequestDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried request records (and sends) once. Generated when omitted' })
  @IsOptional()
  @IsUUID()
  requestId?: string;
  @ApiProperty({ enum: CONSENT_CHANNELS, description: 'The channel the customer asked to be contacted on' }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiProperty({ description: 'What for (a slug)', example: 'newsletter' }) @Matches(SLUG_ID) purpose!: string;
  @ApiProperty({ enum: REQUEST_SOURCES, description: 'Where the customer asked' }) @IsIn(REQUEST_SOURCES) source!: (typeof REQUEST_SOURCES)[number];
  @ApiProperty({ type: RequestEvidenceDto }) @NestedObject(() => RequestEvidenceDto) evidence!: RequestEvidenceDto;
  @ApiProperty({ description: 'The e-mail address the customer gave on the form: the confirmation goes there', example: 'sari@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;
  @ApiPropertyOptional({
    description:
      'With the `requestId` of a request still awaiting confirmation: send the confirmation e-mail again (the form’s “send it again” button, or after `confirmation` said it was not sent). Nothing is recorded. Without it a retried request sends nothing',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  resend?: boolean;
}

export class ConsentRequestResultDto {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ enum: ['awaiting-confirmation', 'confirmed', 'already-granted'] }) status!: string;
  @ApiPropertyOptional({
    description: 'How the confirmation e-mail went (absent when nothing was sent: a retried request without `resend`, an expired one, or granted already)',
    example: { status: 'accepted' },
  })
  confirmation?: SendOutcome;
}

/**
 * Double opt-in, first half (issue 13 §1): staff, or a web form's integration (a staff token of a
 * recording department), record that the customer asked — `ConsentRequested`, not yet a permission —
 * and a confirmation e-mail goes out through the e-mail `MessageSender` with a signed link that works
 * for CONFIRMATION_DAYS.
 */
@ApiTags('consent')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class ConsentRequestsController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(PREFERENCE_LINKS) private readonly links: PreferenceLinks,
    @Inject(MESSAGE_SENDERS) private readonly senders: Map<ConsentChannel, MessageSender>,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':id/consent/requests')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a consent asked for (double opt-in) and send the confirmation e-mail; the permission holds only once confirmed' })
  @ApiBody({
    type: ConsentRequestDto,
    examples: {
      form: {
        value: {
          channel: 'email',
          purpose: 'newsletter',
          source: 'form',
          evidence: { textVersion: 'newsletter-2026-03', formId: 'footer-signup', ipAddress: '203.0.113.7' },
          email: 'sari@example.com',
        },
      },
    },
  })
  @ApiCreatedResponse({
    type: ConsentRequestResultDto,
    schema: {
      example: {
        requestId: '0c5e2f8a-4b1d-4e7a-9c3f-6d2b1a0e9f87',
        channel: 'email',
        purpose: 'newsletter',
        requestedAt: '2026-05-01T10:00:00.000Z',
        expiresAt: '2026-05-08T10:00:00.000Z',
        status: 'awaiting-confirmation',
        confirmation: { status: 'accepted' },
      },
    },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'email', message: 'email must be an email' }] })
  @StaffRouteErrors({ unauthorised: UNAUTHORISED.bad, forbidden: 'Not staff of a department that records consent', notFound: 'No such customer' })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, 'A rule was broken; `code` names it (consent-request-taken: the request id is another permission’s)', { code: 'consent-request-taken' })
  async request(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ConsentRequestDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<ConsentRequestResultDto> {
    const requestId = dto.requestId ?? randomUUID();
    const r = await this.consent.requestConsent(
      p,
      id,
      { requestId, channel: dto.channel, purpose: dto.purpose, source: dto.source, evidence: dto.evidence, validForMs: CONFIRMATION_DAYS * 86_400_000 },
      { correlationId },
    );
    if (!r) {
      // Granted already: nothing to confirm, nothing recorded or sent.
      const now = this.clock.now().toISOString();
      return { requestId, channel: dto.channel, purpose: dto.purpose, requestedAt: now, expiresAt: now, status: 'already-granted' };
    }
    const { request } = r;
    const view: ConsentRequestResultDto = {
      requestId,
      channel: request.channel,
      purpose: request.purpose,
      requestedAt: request.requestedAt,
      expiresAt: request.expiresAt,
      status: request.confirmed ? 'confirmed' : 'awaiting-confirmation',
    };
    // A retried request (the same id) does not mail the customer twice, unless asked to (`resend`) while the link still works.
    if (request.confirmed || (!r.recorded && (dto.resend !== true || Date.parse(request.expiresAt) <= this.clock.now().getTime()))) return view;
    const token = this.links.confirmToken({ customerId: id, requestId, expiresAt: request.expiresAt });
    const link = `${publicBaseOf(this.config).replace(/\/+$/, '')}/consent/confirm?t=${token}`;
    const content = confirmationMessage(link, request, request.expiresAt);
    let confirmation: SendOutcome;
    try {
      confirmation = await this.senders.get('email')!.send({
        messageId: requestId,
        campaignId: 'consent-confirmation',
        stepId: 'double-opt-in',
        customerId: id,
        channel: 'email',
        to: dto.email,
        ...content,
      });
    } catch (error) {
      // The request is recorded either way: a broken adapter is told to the caller, not a 500 after the fact.
      confirmation = { status: 'deferred', reason: `the confirmation e-mail was not sent: ${(error as Error).message}`.slice(0, 500) };
    }
    return { ...view, confirmation };
  }
}

/**
 * Double opt-in, second half, public: the signed link is the credential. `GET` shows what is asked
 * and one button (it never confirms: mail scanners fetch links); `POST` confirms — `ConsentGranted`,
 * source `double-opt-in`, with the request, when it was made and confirmed, address and browser.
 * An expired link is a 410 page, a confirmed one a 409 page (the permission holds already).
 */
@ApiTags('consent')
@Public()
@Controller('consent/confirm')
export class ConsentConfirmController {
  constructor(
    private readonly consent: ConsentCommands,
    @Inject(PREFERENCE_LINKS) private readonly links: PreferenceLinks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The confirmation page (HTML): what was asked, and a button to confirm (changes nothing)' })
  @ApiProduces('text/html')
  @ApiHtmlPage(200, 'The page with its button, or saying it is confirmed already')
  @LinkPageErrors({ notFound: REQUEST_GONE })
  @ApiHtmlPage(410, LINK_EXPIRED)
  async show(@Query() q: PreferenceQueryDto, @Res() res: HtmlResponse): Promise<void> {
    const claims = this.read(q.t, res);
    if (!claims) return;
    const request = await this.consent.pendingRequest(claims.customerId, claims.requestId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!request) return sendHtml(res, 404, messagePage('Not found', ['We hold no record of this request any more.']));
    if (request.confirmed) return sendHtml(res, 200, confirmPage(undefined, request, 'Already confirmed', ['Thank you: you confirmed this already.']));
    sendHtml(res, 200, confirmPage(q.t, request, 'Please confirm', ['We will contact you about this only after you confirm.']));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm: the permission is granted (source double-opt-in) with the request and its times as evidence' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/html')
  @ApiHtmlPage(200, 'Confirmed (an HTML page)')
  @LinkPageErrors({ notFound: REQUEST_GONE, form: true })
  @ApiHtmlPage(409, 'Confirmed already (an HTML page)')
  @ApiHtmlPage(410, LINK_EXPIRED)
  async confirm(
    @Query() q: PreferenceQueryDto,
    @Ip() ip: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res() res: HtmlResponse,
  ): Promise<void> {
    const claims = this.read(q.t, res);
    if (!claims) return;
    let outcome: 'confirmed' | 'already-confirmed';
    try {
      outcome = await this.consent.confirmConsent(
        claims.customerId,
        claims.requestId,
        { ...(ip && { ipAddress: ip.slice(0, 100) }), ...(userAgent && { userAgent: userAgent.slice(0, 500) }) },
        correlationId,
      );
    } catch (error) {
      if (error instanceof NotFoundError) return sendHtml(res, 404, messagePage('Not found', ['We hold no record of this request any more.']));
      if (error instanceof DomainRuleViolation && error.rule === 'consent-request-expired')
        return sendHtml(res, 410, messagePage('This link has expired', ['Please sign up again: we will send you a new link.']));
      throw error;
    }
    if (outcome === 'already-confirmed') return sendHtml(res, 409, messagePage('Already confirmed', ['Thank you: you confirmed this already.']));
    sendHtml(res, 200, messagePage('Thank you', ['Your confirmation is recorded. You can change your mind at any time with the link in our messages.']));
  }

  private read(token: string, res: HtmlResponse) {
    try {
      return this.links.readConfirm(token, this.clock.now());
    } catch (error) {
      linkProblemPage(res, error, 'Please sign up again: we will send you a new link.');
      return undefined;
    }
  }
}

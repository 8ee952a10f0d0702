import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { NotFoundError, shareInForce } from '@crm/relationship';
import { PartnerCommands } from '@crm/relationship-api';
import {
  ApiProblem,
  CLOCK,
  ETAG_HEADER,
  LOCATION_HEADER,
  ProblemTypes,
  CurrentPrincipal,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  type Principal,
  setEtag,
  type HeaderResponse,
} from '@crm/service-kit';
import { asStaff } from '../auth/principals';
import { PartnerCredentials, type IssuedCredential } from '../credentials/partner-credentials';
import {
  IssuedCredentialDto,
  PartnerAsOfQuery,
  PartnerCredentialParams,
  PartnerIdParam,
  PartnerRegisteredDto,
  PartnerViewSchema,
  RegisterPartnerDto,
  type PartnerView,
} from './partners.dto';

/**
 * Partner administration, for channel managers and administrators of management or sales: register a
 * partner company, issue and revoke its client credentials, and see what is shared with it (now or
 * `asOf` an instant). Sharing itself is `PartnerSharesController` (service staff may share with repair
 * providers too). A plain sales agent may not: sharing a customer opens it to another company.
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@ApiProblem(403, 'Forbidden: for staff of management or sales with role channel-manager or admin', { type: ProblemTypes.forbidden })
@Controller('partners')
export class PartnersController {
  constructor(
    private readonly partners: PartnerCommands,
    private readonly credentials: PartnerCredentials,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a partner company' })
  @ApiCreatedResponse({ type: PartnerRegisteredDto, description: 'Registered; Location names the partner', headers: { ...LOCATION_HEADER, ...ETAG_HEADER } })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'partnerKind', message: 'partnerKind must be one of the following values: …' }],
  })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, 'Unprocessable Entity: partnerId names a partner registered already', { code: 'partner-exists' })
  async register(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RegisterPartnerDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ partnerId: string }> {
    const r = await this.partners.register(asStaff(p), dto);
    res.setHeader('Location', `/partners/${r.id}`);
    setEtag(res, r.revision);
    return { partnerId: r.id };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A partner, its active client ids and its shares — now or as of an instant' })
  @ApiOkResponse({
    type: PartnerViewSchema,
    description:
      'The partner, its active client ids and its shares with their scopes (never secrets or hashes) — now, or with `asOf` as they stood then (from the store history of the partner stream): who could see what, when',
  })
  @ApiProblem(400, 'Bad Request: asOf is not an instant', { errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant' }] })
  @ApiProblem(404, 'Not Found: no such partner (or not registered yet at asOf)')
  async get(@Param() { id }: PartnerIdParam, @Query() q: PartnerAsOfQuery): Promise<PartnerView> {
    const at = q.asOf ? new Date(q.asOf) : this.clock.now();
    const partner = q.asOf ? await this.partners.getAsOf(id, at) : await this.partners.get(id);
    if (!partner) throw new NotFoundError(`partner ${id} not found`);
    const { partnerId, name, partnerKind, activeClientIds } = partner;
    const shares = partner.sharedCustomerIds.map((c) => {
      const share = partner.shares[c] ?? { customerId: c, sharedAt: '', sharedBy: '' };
      return { ...share, inForce: shareInForce(partner, c, at) !== undefined };
    });
    const sharedCustomerIds = shares.filter((s) => s.inForce).map((s) => s.customerId);
    return { partnerId, name, partnerKind, activeClientIds, sharedCustomerIds, shares, ...(q.asOf ? { asOf: at.toISOString() } : {}) };
  }

  @Post(':id/credentials')
  @HttpCode(201)
  @ApiOperation({ summary: "Issue a client credential for the partner's software (the secret is shown once)" })
  @ApiCreatedResponse({
    type: IssuedCredentialDto,
    description: 'The client id and secret. The secret is shown only in this response (`Cache-Control: no-store`): store it now.',
    headers: { 'Cache-Control': { schema: { type: 'string', example: 'no-store' } } },
  })
  @ApiProblem(404, 'Not Found: no such partner')
  async issueCredential(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<IssuedCredential> {
    const issued = await this.credentials.issue(asStaff(p), id);
    res.setHeader('Cache-Control', 'no-store');
    return issued;
  }

  @Delete(':id/credentials/:clientId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a client credential (its tokens stop working at once)' })
  @ApiNoContentResponse({ description: 'Revoked: refused by the token exchange, and tokens already issued for it stop working' })
  @ApiProblem(404, 'Not Found: no such partner, or no such active client id')
  async revokeCredential(@CurrentPrincipal() p: Principal, @Param() { id, clientId }: PartnerCredentialParams): Promise<void> {
    await this.credentials.revoke(asStaff(p), id, clientId);
  }
}

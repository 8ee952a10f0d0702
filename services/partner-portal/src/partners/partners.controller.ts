import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { NotFoundError, shareInForce } from '@crm/relationship';
import { PartnerCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
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
import { LeadDistributionCommands } from '../leads/lead-distribution-commands';
import { EXAMPLE_PARTNER, RoutingProfileDto, RoutingProfileSetDto } from '../leads/lead-distribution.dto';
import {
  IssuedCredentialDto,
  PartnerAsOfQuery,
  PartnerListPageDto,
  PartnerListQueryDto,
  PartnerCredentialParams,
  PartnerIdParam,
  PartnerRegisteredDto,
  PartnerViewSchema,
  RegisterPartnerDto,
  type PartnerView,
} from './partners.dto';
import { listPartners } from './partner-directory.projection';

const LIST_EXAMPLE = {
  items: [
    {
      partnerId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      name: 'PT Distribusi Nusantara',
      partnerKind: 'distributor',
      status: 'active',
      registeredAt: '2026-03-02T09:00:00.000Z',
      deactivatedAt: null,
      sharedCustomers: 40,
      pendingDealRegistrations: 2,
      openLeadOffers: 1,
      routing: { tier: 'gold', active: true },
    },
  ],
  nextCursor: 'WyJwYXJ0bmVycyIsInB0IGRpc3RyaWJ1c2kgbnVzYW50YXJhIiwiN2M5ZTY2NzktNzQyNS00MGRlLTk0NGItZTA3ZmMxZjkwYWU3Il0',
};

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
    private readonly distribution: LeadDistributionCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The partner companies, by name: search, kind, status; each with its shared customers, pending deal registrations, open lead offers and routing tier',
  })
  @ApiOkResponse({
    type: PartnerListPageDto,
    example: LIST_EXAMPLE,
    description: 'A page of the directory (a read model: a partner registered a moment ago joins it within moments), by name, then id',
  })
  @ApiProblem(400, 'Bad Request: errors name each bad field (kind, status, limit, q, or a cursor this list did not give out)', {
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@Query() q: PartnerListQueryDto): Promise<PartnerListPageDto> {
    try {
      return await listPartners(this.readModels.dataSource.manager, {
        q: q.q,
        kind: q.kind,
        status: q.status,
        limit: q.limit ?? 50,
        cursor: q.cursor,
        now: this.clock.now(),
      });
    } catch (error) {
      throw error instanceof InvalidCursorError ? badCursor(error.message) : error;
    }
  }

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
    const { partnerId, name, partnerKind, activeClientIds, routingProfile, deactivatedAt } = partner;
    // Ids and roles only: a user's name and e-mail are sealed personal data, read on the partner's own /users.
    const users = Object.values(partner.users)
      .map((u) => ({ userId: u.userId, role: u.role ?? null }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
    const shares = partner.sharedCustomerIds.map((c) => {
      const share = partner.shares[c] ?? { customerId: c, sharedAt: '', sharedBy: '' };
      return { ...share, inForce: shareInForce(partner, c, at) !== undefined };
    });
    const sharedCustomerIds = shares.filter((s) => s.inForce).map((s) => s.customerId);
    return {
      partnerId,
      name,
      partnerKind,
      activeClientIds,
      sharedCustomerIds,
      shares,
      users,
      ...(deactivatedAt && { deactivatedAt }),
      ...(routingProfile && { routingProfile }),
      ...(q.asOf ? { asOf: at.toISOString() } : {}),
    };
  }

  @Put(':id/routing-profile')
  @ApiOperation({ summary: 'Where, what and how many leads the partner takes (issue 14 §4): replaces its routing profile as a whole' })
  @ApiOkResponse({
    type: RoutingProfileSetDto,
    description: 'The profile as recorded (countries upper case, lists de-duplicated and sorted); the same profile again records nothing',
    example: {
      partnerId: EXAMPLE_PARTNER,
      routingProfile: { territories: [{ country: 'ID', regions: ['java-west'] }], products: ['VAN-L2'], tier: 'gold', capacity: 5, active: true },
    },
  })
  @ApiProblem(400, 'Bad Request: errors name each bad field', {
    errors: [{ field: 'territories.0.country', message: 'country must be an ISO 3166-1 alpha-2 code' }],
  })
  @ApiProblem(401, 'Unauthorized: no token, or a bad or expired one')
  @ApiProblem(403, 'Forbidden: for staff of management or sales with role channel-manager or admin')
  @ApiProblem(404, 'Not Found: no such partner')
  @ApiProblem(415, 'Unsupported Media Type: send application/json')
  async setRoutingProfile(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Body() dto: RoutingProfileDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<RoutingProfileSetDto> {
    const profile = {
      territories: dto.territories.map((t) => ({ country: t.country, ...(t.regions && { regions: t.regions }) })),
      products: dto.products,
      tier: dto.tier,
      capacity: dto.capacity,
      active: dto.active ?? true,
    };
    const r = await this.distribution.setRoutingProfile(asStaff(p), id, profile);
    setEtag(res, r.revision);
    const partner = await this.partners.get(id);
    return { partnerId: id, routingProfile: partner!.routingProfile! };
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

import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DealRegistration } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { Inject } from '@nestjs/common';
import { asPartner, asStaff } from '../auth/principals';
import { PartnerScope } from '../portal/partner-scope';
import { DealRegistrationCommands } from './deal-registration-commands';
import { listDealRegistrations, type DealRegistrationListItem } from './deal-registrations.projection';
import {
  DealRegistrationCreatedDto,
  DealRegistrationIdParam,
  DealRegistrationListQueryDto,
  EXAMPLE_CUSTOMER,
  EXAMPLE_ID,
  PartnerDealRegistrationDto,
  PartnerDealRegistrationPageDto,
  RegisterDealDto,
  RejectDealDto,
  ApproveDealDto,
  StaffDealRegistrationDto,
  StaffDealRegistrationPageDto,
} from './deal-registrations.dto';

const PARTNER_EXAMPLE = {
  registrationId: EXAMPLE_ID,
  customerId: EXAMPLE_CUSTOMER,
  prospect: null,
  products: ['VAN-L2'],
  estimatedValue: 5000000,
  currency: 'EUR',
  expectedCloseDate: '2026-09-30',
  status: 'pending',
  registeredAt: '2026-06-01T09:00:00.000Z',
  approvalDueAt: '2026-06-06T09:00:00.000Z',
  protectionEndsAt: null,
  episodeId: null,
};
const STAFF_EXAMPLE = {
  ...PARTNER_EXAMPLE,
  partnerId: '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  leadId: null,
  flags: ['conflict'],
  conflicts: [{ kind: 'opportunity', id: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c' }],
  possibleExistingCustomerIds: [],
};
const unauthorised = () => ApiProblem(401, 'Unauthorized: no token, or a bad, expired or revoked one', { type: ProblemTypes.unauthorized });
const notFound = () =>
  ApiProblem(404, 'Not Found: no such registration of yours (or its customer is no longer shared with you)', {
    detail: `deal registration ${EXAMPLE_ID} not found`,
  });
const badBody = (field: string, message: string) =>
  ApiProblem(400, 'Bad Request: errors name each bad field', { detail: message, errors: [{ field, message }] });

/** The partner's view: the registration without what it conflicts with or may be (`pending` is all it says before review). */
export function partnerView(r: DealRegistration | DealRegistrationListItem): PartnerDealRegistrationDto {
  const full = 'prospect' in r && r.prospect !== undefined && typeof r.prospect === 'object';
  return {
    registrationId: r.registrationId,
    customerId: r.customerId ?? null,
    prospect: full ? (r as DealRegistration).prospect! : null,
    products: r.products,
    estimatedValue: r.estimatedValue,
    currency: r.currency,
    expectedCloseDate: r.expectedCloseDate,
    status: r.status,
    registeredAt: r.registeredAt,
    approvalDueAt: r.approvalDueAt,
    protectionEndsAt: r.protectionEndsAt ?? null,
    episodeId: r.episodeId ?? null,
  };
}

function staffView(r: DealRegistration | DealRegistrationListItem): StaffDealRegistrationDto {
  const conflicts = ('conflicts' in r ? r.conflicts : (r.flags?.conflicts ?? [])) as StaffDealRegistrationDto['conflicts'];
  const possible = 'possibleExistingCustomerIds' in r ? r.possibleExistingCustomerIds : (r.flags?.possibleExistingCustomerIds ?? []);
  const flags = [...(conflicts.length ? ['conflict'] : []), ...(possible.length ? ['possible-existing-customer'] : [])];
  const link = 'opportunityId' in r && r.opportunityId !== undefined ? { opportunityId: r.opportunityId } : {};
  return { ...partnerView(r), partnerId: r.partnerId, leadId: r.leadId ?? null, flags, conflicts, possibleExistingCustomerIds: possible, ...link };
}

function page<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    throw error instanceof InvalidCursorError ? badCursor(error.message) : error;
  });
}

/**
 * The channel manager's review of deal registrations (issue 14 §3): every partner's, with their
 * flags; approve (starting the protection window; the partner-deal episode follows from the
 * recorded approval) or reject with a reason. Who may: as partner administration
 * (`PartnersController`) — channel managers and administrators of management or sales.
 */
@ApiTags('deal-registrations')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@unauthorised()
@ApiProblem(403, 'Forbidden: for staff of management or sales with role channel-manager or admin', { type: ProblemTypes.forbidden })
@Controller('deal-registrations')
export class DealRegistrationReviewController {
  constructor(
    private readonly registrations: DealRegistrationCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Get('review')
  @ApiOperation({ summary: "Every partner's registrations with their flags (conflict, possible-existing-customer), newest first; paged" })
  @ApiOkResponse({ type: StaffDealRegistrationPageDto, example: { items: [STAFF_EXAMPLE] } })
  @badBody('status', 'status must be one of the following values: pending, approved, rejected, expired')
  async review(@Query() q: DealRegistrationListQueryDto): Promise<StaffDealRegistrationPageDto> {
    const r = await page(() => listDealRegistrations(this.readModels.dataSource.manager, { status: q.status, limit: q.limit ?? 50, cursor: q.cursor }));
    return { ...r, items: r.items.map(staffView) };
  }

  @Get('review/:id')
  @ApiOperation({ summary: 'One registration as staff review it (with the prospect, the flags, and its ETag for If-Match)' })
  @ApiOkResponse({
    type: StaffDealRegistrationDto,
    example: STAFF_EXAMPLE,
    headers: { ETag: { description: 'The revision, for If-Match', schema: { type: 'string' } } },
  })
  @ApiProblem(404, 'Not Found: no such registration', { detail: `deal registration ${EXAMPLE_ID} not found` })
  async one(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: DealRegistrationIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<StaffDealRegistrationDto> {
    const { state, revision } = await this.registrations.get(asStaff(p), id);
    setEtag(res, revision);
    return staffView(state);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a pending registration within its approval window: the protection window starts, and on a customer the partner-deal episode opens',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: a stale one is 412 before any rule', example: '"0"' })
  @ApiOkResponse({ type: StaffDealRegistrationDto, example: { ...STAFF_EXAMPLE, status: 'approved', protectionEndsAt: '2026-08-30T09:00:00.000Z' } })
  @ApiProblem(404, 'Not Found: no such registration', { detail: `deal registration ${EXAMPLE_ID} not found` })
  @ApiProblem(412, 'Precondition Failed: the registration changed since you read it', { detail: 'expected revision 0, found 1' })
  @badBody('opportunityId', 'opportunityId must be a UUID')
  @ApiProblem(
    422,
    'Unprocessable: not pending, its approval window has passed, or the opportunity is unknown (`unknown-opportunity`), closed (`opportunity-closed`) or another customer’s (`opportunity-of-another-customer`)',
    {
      code: 'not-pending',
      detail: 'a rejected registration cannot be approved',
    },
  )
  async approve(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: DealRegistrationIdParam,
    @Body() dto: ApproveDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<StaffDealRegistrationDto> {
    const staff = asStaff(p);
    await this.registrations.approve(
      staff,
      id,
      { opportunityId: dto.opportunityId },
      { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId },
    );
    const { state, revision } = await this.registrations.get(staff, id);
    setEtag(res, revision);
    return staffView(state);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a pending registration, saying why (the partner sees the status)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: a stale one is 412 before any rule', example: '"0"' })
  @ApiOkResponse({ type: StaffDealRegistrationDto, example: { ...STAFF_EXAMPLE, status: 'rejected' } })
  @badBody('reason', 'reason should not be empty')
  @ApiProblem(404, 'Not Found: no such registration', { detail: `deal registration ${EXAMPLE_ID} not found` })
  @ApiProblem(412, 'Precondition Failed: the registration changed since you read it', { detail: 'expected revision 0, found 1' })
  @ApiProblem(422, 'Unprocessable: not pending', { code: 'not-pending', detail: 'a approved registration cannot be rejected' })
  async reject(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: DealRegistrationIdParam,
    @Body() dto: RejectDealDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<StaffDealRegistrationDto> {
    const staff = asStaff(p);
    await this.registrations.reject(staff, id, dto.reason, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    const { state, revision } = await this.registrations.get(staff, id);
    setEtag(res, revision);
    return staffView(state);
  }
}

/**
 * A partner's deal registrations (issue 14 §3): register a deal on a customer shared with it or on a
 * prospect, list its own, read one. Another partner's registration, or one on a customer no longer
 * shared, answers 404 like an unknown id; the partner never learns what its registration conflicts
 * with or which customer a prospect may be (it sees `pending` until a channel manager decides).
 */
@ApiTags('deal-registrations')
@ApiBearerAuth()
@RequireKind('partner')
@unauthorised()
@ApiProblem(403, 'Forbidden: for partners (staff review registrations under /deal-registrations/review)', { type: ProblemTypes.forbidden })
@Controller('deal-registrations')
export class DealRegistrationsController {
  constructor(
    private readonly registrations: DealRegistrationCommands,
    private readonly scope: PartnerScope,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a deal on a customer shared with you (`customerId`) or on a prospect (`prospect`)' })
  @ApiCreatedResponse({
    type: DealRegistrationCreatedDto,
    example: { registrationId: EXAMPLE_ID, status: 'pending' },
    headers: { Location: { schema: { type: 'string' }, description: '/deal-registrations/{id}' }, ETag: { schema: { type: 'string' } } },
  })
  @badBody('customerId', 'give either customerId or prospect')
  @ApiProblem(404, 'Not Found: the customer is not shared with you (as for one that does not exist)', { detail: `customer ${EXAMPLE_CUSTOMER} not found` })
  @ApiProblem(415, 'Unsupported Media Type: send application/json', { type: ProblemTypes.validation })
  @ApiProblem(422, 'Unprocessable: a rule of the domain is broken', { code: 'close-date-in-past', detail: 'the expected close date has passed' })
  async register(
    @CurrentPrincipal() p: Principal,
    @Body() dto: RegisterDealDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<DealRegistrationCreatedDto> {
    if ((dto.customerId === undefined) === (dto.prospect === undefined)) {
      const message = 'give either customerId (a customer shared with you) or prospect, not both';
      throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'customerId', message }] });
    }
    const r = await this.registrations.register(asPartner(p), dto, { correlationId });
    res.setHeader('Location', `/deal-registrations/${r.id}`);
    setEtag(res, r.revision);
    return { registrationId: r.id, status: 'pending' };
  }

  @Get()
  @ApiOperation({ summary: 'Your registrations (on customers still shared with you, and on prospects), newest first; paged' })
  @ApiOkResponse({ type: PartnerDealRegistrationPageDto, example: { items: [PARTNER_EXAMPLE] } })
  @badBody('cursor', 'cursor must be the nextCursor of a previous page')
  async list(@CurrentPrincipal() p: Principal, @Query() q: DealRegistrationListQueryDto): Promise<PartnerDealRegistrationPageDto> {
    const partner = asPartner(p);
    // The aggregate's shares (a revoke holds at once): registrations on customers no longer shared are not listed.
    const shared = await this.scope.sharedCustomerIds(partner);
    const r = await page(() =>
      listDealRegistrations(this.readModels.dataSource.manager, {
        partnerId: partner.partnerId,
        status: q.status,
        customerIds: [...shared],
        limit: q.limit ?? 50,
        cursor: q.cursor,
      }),
    );
    return { ...r, items: r.items.map(partnerView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your registrations, with its ETag' })
  @ApiOkResponse({ type: PartnerDealRegistrationDto, example: PARTNER_EXAMPLE, headers: { ETag: { schema: { type: 'string' } } } })
  @notFound()
  async get(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: DealRegistrationIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PartnerDealRegistrationDto> {
    const { state, revision } = await this.registrations.get(asPartner(p), id);
    setEtag(res, revision);
    return partnerView(state);
  }
}

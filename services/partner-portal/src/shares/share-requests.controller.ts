import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { PartnerCommands } from '@crm/relationship-api';
import { ApiProblem, CLOCK, CurrentPrincipal, HttpProblem, ProblemTypes, RequireDepartment, RequireKind, type Principal } from '@crm/service-kit';
import { asPartner, asStaff } from '../auth/principals';
import { PartnerScope } from '../portal/partner-scope';
import {
  ApproveShareRequestDto,
  RefuseShareRequestDto,
  RequestShareDto,
  ShareRequestAccepted,
  ShareRequestIdParam,
  ShareRequestList,
  ShareRequestListQuery,
  ShareRequestView,
} from './share-requests.dto';
import { ShareRequestRow } from './share-requests.projection';
import { assertFutureExpiry, assertMayShare, mayShareAtAll } from './share-rules';

const view = (r: ShareRequestRow): ShareRequestView => ({
  requestId: r.requestId,
  partnerId: r.partnerId,
  customerId: r.customerId,
  reason: r.reason,
  status: r.status,
  requestedAt: r.requestedAt.toISOString(),
  ...(r.decidedAt ? { decidedAt: r.decidedAt.toISOString() } : {}),
  ...(r.decisionReason ? { decisionReason: r.decisionReason } : {}),
  ...(r.scope ? { scope: r.scope } : {}),
});

/**
 * Share requests (issue 14 §2): a partner asks for a customer by the id the company gave it; staff
 * approve (recording the share, with a scope) or refuse. The partner's answer is always 202 with the
 * same body, whether the customer exists, is shared already, or not: asking reveals nothing. A
 * partner lists only its own requests; staff list every partner's.
 */
@ApiTags('share-requests')
@ApiBearerAuth()
@Controller('share-requests')
export class ShareRequestsController {
  constructor(
    private readonly partners: PartnerCommands,
    private readonly scope: PartnerScope,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireKind('partner')
  @ApiAcceptedResponse({ type: ShareRequestAccepted, description: 'Received — the same answer whatever the customer id names' })
  @ApiProblem(400, 'Bad Request: a field is invalid', { errors: [{ field: 'customerId', message: 'customerId must be a UUID' }] })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async request(@CurrentPrincipal() p: Principal, @Body() dto: RequestShareDto): Promise<ShareRequestAccepted> {
    const partner = asPartner(p);
    if (!(await this.scope.partnerOf(partner))) throw new NotFoundError(`partner ${partner.partnerId} not found`); // 401 first for a revoked credential
    const r = await this.partners.requestShare(partner, dto.customerId, dto.reason);
    return { requestId: r.id, status: 'received' };
  }

  @Get()
  @ApiOkResponse({ type: ShareRequestList, description: "Staff: every partner's requests (newest first); a partner: its own only" })
  @ApiProblem(400, 'Bad Request: status is not one of pending, approved, refused', { errors: [{ field: 'status', message: 'status must be one of …' }] })
  @ApiProblem(403, 'Forbidden: staff who may not share')
  async list(@CurrentPrincipal() p: Principal, @Query() q: ShareRequestListQuery): Promise<ShareRequestList> {
    let partnerId = q.partnerId;
    if (p.kind === 'partner') {
      if (!(await this.scope.partnerOf(p))) return { items: [] };
      partnerId = p.partnerId; // never another partner's, whatever the query says
    } else if (!mayShareAtAll(asStaff(p))) {
      throw new HttpProblem(403, 'listing share requests needs a channel manager, an administrator or service staff', { type: ProblemTypes.forbidden });
    }
    const rows = await this.scope.manager.getRepository(ShareRequestRow).find({
      where: { ...(partnerId ? { partnerId } : {}), ...(q.status ? { status: q.status } : {}) },
      order: { requestedAt: 'DESC', requestId: 'ASC' },
      take: 500,
    });
    return { items: rows.map(view) };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireKind('staff')
  @RequireDepartment('management', 'sales', 'service')
  @ApiOkResponse({ type: ShareRequestView, description: 'Approved: the share is recorded with the scope, in the same write' })
  @ApiProblem(400, 'Bad Request: a field is invalid', { errors: [{ field: 'scope.expiresAt', message: 'scope.expiresAt must be in the future' }] })
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator (service staff: repair providers only)')
  @ApiProblem(404, 'Not Found: no such share request')
  @ApiProblem(422, 'Unprocessable Entity: already decided, or the customer does not exist', { code: 'request-decided' })
  async approve(@CurrentPrincipal() p: Principal, @Param() { id }: ShareRequestIdParam, @Body() dto: ApproveShareRequestDto): Promise<ShareRequestView> {
    const staff = asStaff(p);
    assertFutureExpiry(dto.scope?.expiresAt, this.clock, 'scope.expiresAt');
    const row = await this.find(id);
    const { episodeTypes, access, expiresAt } = dto.scope ?? {};
    const scope = { ...(episodeTypes ? { episodeTypes } : {}), ...(access ? { access } : {}), ...(expiresAt ? { expiresAt } : {}) };
    await this.partners.approveShareRequest(staff, row.partnerId, id, scope, { check: (state) => assertMayShare(staff, state?.partnerKind) });
    return view({ ...row, status: 'approved', decidedAt: this.clock.now(), scope });
  }

  @Post(':id/refuse')
  @HttpCode(200)
  @RequireKind('staff')
  @RequireDepartment('management', 'sales', 'service')
  @ApiOkResponse({ type: ShareRequestView, description: 'Refused, with the reason (the partner sees it in its list)' })
  @ApiProblem(400, 'Bad Request: reason is missing', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator (service staff: repair providers only)')
  @ApiProblem(404, 'Not Found: no such share request')
  @ApiProblem(422, 'Unprocessable Entity: already decided', { code: 'request-decided' })
  async refuse(@CurrentPrincipal() p: Principal, @Param() { id }: ShareRequestIdParam, @Body() dto: RefuseShareRequestDto): Promise<ShareRequestView> {
    const staff = asStaff(p);
    const row = await this.find(id);
    const partner = await this.partners.get(row.partnerId);
    assertMayShare(staff, partner?.partnerKind);
    await this.partners.refuseShareRequest(staff, row.partnerId, id, dto.reason);
    return view({ ...row, status: 'refused', decidedAt: this.clock.now(), decisionReason: dto.reason });
  }

  private async find(requestId: string): Promise<ShareRequestRow> {
    const row = await this.scope.manager.getRepository(ShareRequestRow).findOneBy({ requestId });
    if (!row) throw new NotFoundError(`share request ${requestId} not found`);
    return row;
  }
}

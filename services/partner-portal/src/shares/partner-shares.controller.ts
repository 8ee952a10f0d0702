import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { PartnerCommands } from '@crm/relationship-api';
import { ApiProblem, CLOCK, CurrentPrincipal, RequireDepartment, RequireKind, type Principal } from '@crm/service-kit';
import { asStaff } from '../auth/principals';
import { PartnerIdParam, PartnerShareParams, ShareCustomerDto, ShareResultSchema } from '../partners/partners.dto';
import { assertFutureExpiry, assertMayShare } from './share-rules';

/**
 * Sharing customers with a partner, with a scope (issue 14 §2): the episode types it sees,
 * `read` or `read-write`, and an optional expiry. Sharing again with another scope records the new
 * scope; with the same one it changes nothing. Channel managers and administrators of management or
 * sales share with any partner; service staff with repair providers only (`assertMayShare`).
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales', 'service')
@Controller('partners')
export class PartnerSharesController {
  constructor(
    private readonly partners: PartnerCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':id/shares')
  @HttpCode(201)
  @ApiBody({
    type: ShareCustomerDto,
    examples: {
      everything: { value: { customerId: '0f8fad5b-d9cb-469f-a165-70867728950e' } },
      scoped: {
        value: {
          customerId: '0f8fad5b-d9cb-469f-a165-70867728950e',
          episodeTypes: ['case', 'return-repair'],
          access: 'read',
          expiresAt: '2026-12-31T23:59:59.000Z',
        },
      },
    },
  })
  @ApiCreatedResponse({
    type: ShareResultSchema,
    description: 'Shared with this scope (sharing again with the same scope changes nothing; another scope replaces it)',
  })
  @ApiProblem(400, 'Bad Request: a field is invalid (expiresAt not in the future, an unknown episode type)', {
    errors: [{ field: 'expiresAt', message: 'expiresAt must be in the future' }],
  })
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator (service staff: repair providers only)')
  @ApiProblem(404, 'Not Found: no such partner')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, 'Unprocessable Entity: no such customer', { code: 'unknown-customer' })
  async share(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: PartnerIdParam,
    @Body() dto: ShareCustomerDto,
  ): Promise<{ partnerId: string; customerId: string; shared: true }> {
    const staff = asStaff(p);
    assertFutureExpiry(dto.expiresAt, this.clock);
    const { customerId, episodeTypes, access, expiresAt } = dto;
    const scope = { ...(episodeTypes ? { episodeTypes } : {}), ...(access ? { access } : {}), ...(expiresAt ? { expiresAt } : {}) };
    // the partner's kind is read from the state the command loads: one read, checked before deciding
    await this.partners.shareCustomer(staff, id, customerId, scope, { check: (state) => assertMayShare(staff, state?.partnerKind) });
    return { partnerId: id, customerId, shared: true };
  }

  @Delete(':id/shares/:customerId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: from this response on, the partner gets 404 for the customer' })
  @ApiProblem(403, 'Forbidden: not a channel manager or administrator (service staff: repair providers only)')
  @ApiProblem(404, 'Not Found: no such partner, or the customer is not shared with it')
  async revokeShare(@CurrentPrincipal() p: Principal, @Param() { id, customerId }: PartnerShareParams): Promise<void> {
    const staff = asStaff(p);
    await this.partners.revokeShare(staff, id, customerId, { check: (state) => assertMayShare(staff, state?.partnerKind) });
  }
}

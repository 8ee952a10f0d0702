import { Body, Controller, Delete, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, expectedRevisionFromIfMatch, RequireDepartment, RequireKind, setEtag, type HeaderResponse, type Principal } from '@crm/service-kit';
import {
  ContactChangeDto,
  ContactDto,
  CustomerContactParams,
  CustomerIdParam,
  CustomerIdentityParams,
  ForceQueryDto,
  IdentityDto,
  IdentitySystemQueryDto,
  JourneyStageChangeDto,
  PatchCustomerDto,
  RelationshipPhaseChangeDto,
} from '../dto';
import { CustomerCommands } from './customer-commands';

const ETAG = "The customer's revision after the change: send it as If-Match on the next one";

/**
 * Keeping customer data right, for staff of sales, service, marketing and management: the record,
 * its contacts and identities, its journey stage and relationship phase. Every change is an event of
 * the customer's history; `If-Match: "<revision>"` makes one conditional (412 when stale, judged
 * before any rule). An identity held by another customer is a 409 naming that customer
 * (`holderId`), unless `?force=true`, which records a suspected duplicate instead.
 */
@ApiTags('customers')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'service', 'marketing', 'management')
@ApiNotFoundResponse({ description: 'No such customer (or contact)' })
@ApiPreconditionFailedResponse({ description: 'If-Match names a revision that is no longer current' })
@ApiUnprocessableEntityResponse({ description: 'A rule of the domain was broken; `code` names it (e.g. parent-cycle, backward-move-needs-reason)' })
@Controller('customers')
export class CustomerEditsController {
  constructor(private readonly customers: CustomerCommands) {}

  @Patch(':id')
  @ApiOkResponse({ description: `Changed (or nothing to change). ETag: ${ETAG}` })
  async patch(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Body() dto: PatchCustomerDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string }> {
    const r = await this.customers.change(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { customerId: id };
  }

  @Post(':id/contacts')
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Added; Location names the contact' })
  async addContact(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Body() dto: ContactDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ contactId: string }> {
    const r = await this.customers.addContact(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    res.setHeader('Location', `/customers/${id}/contacts/${r.id}`);
    setEtag(res, r.revision);
    return { contactId: r.id };
  }

  @Put(':id/contacts/:contactId')
  @ApiOkResponse({ description: "The contact's record replaced (fields left out are cleared)" })
  async changeContact(
    @CurrentPrincipal() p: Principal,
    @Param() { id, contactId }: CustomerContactParams,
    @Body() dto: ContactChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ contactId: string }> {
    const r = await this.customers.changeContact(p, id, contactId, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { contactId };
  }

  @Delete(':id/contacts/:contactId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed' })
  async removeContact(
    @CurrentPrincipal() p: Principal,
    @Param() { id, contactId }: CustomerContactParams,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<void> {
    const r = await this.customers.removeContact(p, id, contactId, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
  }

  @Post(':id/identities')
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Added (adding a known one changes nothing)' })
  @ApiConflictResponse({ description: '`code: identity-taken`: another customer holds it; `holderId` names it' })
  async addIdentity(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Query() { force }: ForceQueryDto,
    @Body() dto: IdentityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string }> {
    const r = await this.customers.addIdentity(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId, force });
    setEtag(res, r.revision);
    return { customerId: id };
  }

  @Delete(':id/identities/:kind/:value')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed (the identity is free for another customer again); removing an unknown one changes nothing' })
  async removeIdentity(
    @CurrentPrincipal() p: Principal,
    @Param() { id, kind, value }: CustomerIdentityParams,
    @Query() { system }: IdentitySystemQueryDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<void> {
    const r = await this.customers.removeIdentity(
      p,
      id,
      { kind, value, ...(system !== undefined && { system }) },
      { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId },
    );
    setEtag(res, r.revision);
  }

  @Put(':id/journey-stage')
  @ApiOkResponse({ description: 'Recorded as a manual change with its reason (a move back needs one)' })
  async journeyStage(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Body() dto: JourneyStageChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string; journeyStage: string }> {
    const r = await this.customers.changeJourneyStage(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { customerId: id, journeyStage: dto.to };
  }

  @Put(':id/relationship-phase')
  @ApiOkResponse({ description: 'Recorded as a manual change with its reason; a dissolved relationship restarts only at awareness' })
  async relationshipPhase(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Body() dto: RelationshipPhaseChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ customerId: string; relationshipPhase: string }> {
    const r = await this.customers.changeRelationshipPhase(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { customerId: id, relationshipPhase: dto.to };
  }
}

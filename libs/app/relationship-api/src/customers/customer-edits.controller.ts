import { Body, Controller, Delete, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import {
  ContactChangeDto,
  ContactDto,
  CustomerMergeParams,
  CustomerContactParams,
  CustomerIdParam,
  CustomerIdentityParams,
  ForceQueryDto,
  IdentityDto,
  IdentitySystemQueryDto,
  JourneyStageChangeDto,
  MergeCustomersDto,
  PatchCustomerDto,
  PersonalDataErasureDto,
  RelationshipPhaseChangeDto,
} from '../dto';
import { NotFoundError } from '@crm/relationship';
import { findMerge, mergedCustomerIds } from '@crm/relationship-read-models';
import type { ReadModelRunners } from '../read-models';
import { READ_MODELS } from '../relationship-api.module';
import { CustomerCommands } from './customer-commands';
import {
  CUSTOMER_CONTACT_WRITTEN_EXAMPLE,
  CUSTOMER_MERGED_EXAMPLE,
  CUSTOMER_WRITTEN_EXAMPLE,
  CustomerContactWrittenDto,
  CustomerJourneyStageSetDto,
  CustomerMergedDto,
  CustomerRelationshipPhaseSetDto,
  CustomerWrittenDto,
} from './customer-responses';

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
  constructor(
    private readonly customers: CustomerCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Patch(':id')
  @ApiOkResponse({ type: CustomerWrittenDto, description: `Changed (or nothing to change). ETag: ${ETAG}`, example: CUSTOMER_WRITTEN_EXAMPLE })
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
  @ApiCreatedResponse({
    type: CustomerContactWrittenDto,
    description: `Added; Location names the contact. ETag: ${ETAG}`,
    example: CUSTOMER_CONTACT_WRITTEN_EXAMPLE,
  })
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
  @ApiOkResponse({
    type: CustomerContactWrittenDto,
    description: `The contact's record replaced (fields left out are cleared). ETag: ${ETAG}`,
    example: CUSTOMER_CONTACT_WRITTEN_EXAMPLE,
  })
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
  @ApiCreatedResponse({
    type: CustomerWrittenDto,
    description: `Added (adding a known one changes nothing); a merged id is written as its survivor (the answer names the id as sent). ETag: ${ETAG}`,
    example: CUSTOMER_WRITTEN_EXAMPLE,
  })
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
  @ApiOkResponse({
    type: CustomerJourneyStageSetDto,
    description: `Recorded as a manual change with its reason (a move back needs one). ETag: ${ETAG}`,
    example: { customerId: CUSTOMER_WRITTEN_EXAMPLE.customerId, journeyStage: 'repeat-customer' },
  })
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
  @ApiOkResponse({
    type: CustomerRelationshipPhaseSetDto,
    description: `Recorded as a manual change with its reason; a dissolved relationship restarts only at awareness. ETag: ${ETAG}`,
    example: { customerId: CUSTOMER_WRITTEN_EXAMPLE.customerId, relationshipPhase: 'expansion' },
  })
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

  @Post(':id/merges')
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CustomerMergedDto,
    description:
      'The duplicate is merged into this customer (one event on the duplicate; no history rewritten): from now on reading or writing the duplicate answers with this one. Location names the merge, which DELETE undoes',
    example: CUSTOMER_MERGED_EXAMPLE,
  })
  async merge(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Body() dto: MergeCustomersDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ mergeId: string; survivorId: string; duplicateId: string }> {
    // If-Match, if any, is about the duplicate: the record the merge changes.
    const r = await this.customers.merge(p, id, dto.duplicateId, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    res.setHeader('Location', `/customers/${id}/merges/${r.id}`);
    return { mergeId: r.id, survivorId: id, duplicateId: dto.duplicateId };
  }

  @Delete(':id/merges/:mergeId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Undone: both customers are back, each with what was recorded on it; reads as of before the undoing do not change' })
  async unmerge(
    @CurrentPrincipal() p: Principal,
    @Param() { id, mergeId }: CustomerMergeParams,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<void> {
    // The merge is found in the read model (it names the duplicate); the duplicate's own stream decides.
    const merge = await findMerge(this.readModels.dataSource.manager, id, mergeId);
    if (!merge) throw new NotFoundError(`merge ${mergeId} of customer ${id} not found`);
    await this.customers.unmerge(p, merge.duplicateId, mergeId, { correlationId });
  }

  @Delete(':id/personal-data')
  @RequireRoles('data-protection', 'admin')
  @ApiOkResponse({
    type: PersonalDataErasureDto,
    description:
      "Erased (crypto-shredding): the customer's keys are destroyed, so its names, contact details, identities and the free text of its interactions read as `[erased]` in every answer, read model, replay and rebuild; episodes, amounts and dates stay. Customers merged into it are erased with it; a merged id is erased as its survivor. Repeating it is harmless. ETag: the revision after it",
  })
  @ApiForbiddenResponse({ description: 'Only staff holding the data-protection or admin role may erase' })
  async erasePersonalData(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PersonalDataErasureDto> {
    // Who was merged into it: from the merges read model, as every read that follows merges.
    const survivorId = (await this.customers.resolve(id)) ?? id;
    const merged = await mergedCustomerIds(this.readModels.dataSource.manager, survivorId);
    const r = await this.customers.erasePersonalData(p, id, merged, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { customerId: r.id, erasedCustomerIds: r.erased, keysDestroyed: r.keysDestroyed };
  }
}

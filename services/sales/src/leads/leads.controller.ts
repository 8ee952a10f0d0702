import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { LeadCommands, type ConvertedLead } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { AssignLeadDto, CaptureLeadDto, ConvertLeadDto, DisqualifyLeadDto, LeadIdParam, LeadQualificationDto } from './leads.dto';
import { CapturedLeadDto, ConvertedLeadDto, LEAD_EXAMPLE, LeadAssignedDto, LeadChangedDto, LeadDto } from './leads.responses';

const LEAD_ID = LEAD_EXAMPLE.leadId;

const staff = (p: Principal) => p as StaffPrincipal;

/**
 * Leads: captured from a source, qualified (BANT), assigned, then converted into a customer, a
 * contact and an opportunity in one idempotent command — or disqualified with a reason. A lead whose
 * e-mail or phone a customer already holds carries `matchingCustomerId`: convert it with `attachTo`.
 */
@ApiTags('leads')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'marketing', 'management')
@ApiNotFoundResponse({ description: 'No such lead' })
@ApiUnprocessableEntityResponse({ description: 'A rule was broken; `code` names it (lead-needs-contact, lead-closed, lead-converted, …)' })
@Controller('leads')
export class LeadsController {
  constructor(private readonly leads: LeadCommands) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CapturedLeadDto,
    description:
      'Captured (the same capture again changes nothing); Location names the lead; `matchingCustomerId` when a customer already holds its e-mail or phone; `owner` and `assignedByRule` when the assignment rules assigned the new lead',
    example: { leadId: LEAD_ID, owner: 'sari', assignedByRule: 'java-territory' },
  })
  async capture(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CaptureLeadDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string; matchingCustomerId?: string; owner?: string; assignedByRule?: string }> {
    const r = await this.leads.capture(staff(p), dto, { correlationId });
    res.setHeader('Location', `/leads/${r.id}`);
    setEtag(res, r.revision);
    return {
      leadId: r.id,
      ...(r.matchingCustomerId && { matchingCustomerId: r.matchingCustomerId }),
      ...(r.owner && { owner: r.owner }),
      ...(r.assignedByRule && { assignedByRule: r.assignedByRule }),
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: LeadDto, description: 'The lead, its status, and its score with the reasons; ETag for If-Match', example: LEAD_EXAMPLE })
  async get(@Param() { id }: LeadIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const lead = await this.leads.get(id);
    setEtag(res, BigInt(lead.revision));
    return lead;
  }

  @Put(':id/qualification')
  @ApiOkResponse({
    type: LeadChangedDto,
    description:
      'The BANT answers replaced; the lead is qualified once all are known and the person can decide (GET /leads/{id} shows its status and score); ETag',
    example: { leadId: LEAD_ID },
  })
  async qualify(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: LeadIdParam,
    @Body() dto: LeadQualificationDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string }> {
    setEtag(res, (await this.leads.qualify(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) })).revision);
    return { leadId: id };
  }

  @Post(':id/assignment')
  @HttpCode(200)
  @ApiOkResponse({
    type: LeadAssignedDto,
    description: 'Assigned to the owner (already theirs: nothing recorded); ETag',
    example: { leadId: LEAD_ID, owner: 'sari' },
  })
  async assign(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: LeadIdParam,
    @Body() dto: AssignLeadDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string; owner: string }> {
    setEtag(res, (await this.leads.assign(staff(p), id, dto.owner, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) })).revision);
    return { leadId: id, owner: dto.owner };
  }

  @Post(':id/disqualification')
  @HttpCode(200)
  @ApiOkResponse({ type: LeadChangedDto, description: 'Disqualified with its reason; the lead is closed; ETag', example: { leadId: LEAD_ID } })
  async disqualify(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: LeadIdParam,
    @Body() dto: DisqualifyLeadDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string }> {
    setEtag(res, (await this.leads.disqualify(staff(p), id, dto.reason, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) })).revision);
    return { leadId: id };
  }

  @Post(':id/conversion')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConvertedLeadDto,
    description:
      'Converted: the customer (new, or the one attached to), its contact (a lead with a company, converted into a new organisation) and the opportunity. A retry answers the same ids',
    example: {
      leadId: LEAD_ID,
      customerId: '77670316-0075-4a9a-95b0-0d17203ea982',
      contactId: '4e2f558a-e809-4936-94ca-15e783dcdd3a',
      opportunityId: 'b864c44f-394c-4eb9-abc7-42cb8cae19a6',
    },
  })
  @ApiConflictResponse({ description: "`identity-taken`: a customer already holds the lead's e-mail or phone (`holderId`): convert with `attachTo`" })
  convert(@CurrentPrincipal() p: Principal, @Param() { id }: LeadIdParam, @Body() dto: ConvertLeadDto): Promise<ConvertedLead> {
    return this.leads.convert(staff(p), id, dto);
  }

  @Delete(':id/personal-data')
  @RequireRoles('data-protection', 'admin')
  @ApiOkResponse({
    description:
      "Erased (crypto-shredding, as a customer's): the lead's keys are destroyed, so its name, company, e-mail, phone and free text read as `[erased]` everywhere; source, status, owner, score inputs that are not personal and dates stay. An erased lead cannot be converted. Repeating it is harmless",
    schema: {
      type: 'object',
      properties: { leadId: { type: 'string', format: 'uuid' }, keysDestroyed: { type: 'integer', example: 1 } },
      example: { leadId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60', keysDestroyed: 1 },
    },
  })
  @ApiForbiddenResponse({ description: 'Only staff holding the data-protection or admin role may erase' })
  async erasePersonalData(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: LeadIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string; keysDestroyed: number }> {
    const r = await this.leads.erasePersonalData(staff(p), id, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    setEtag(res, r.revision);
    return { leadId: id, keysDestroyed: r.keysDestroyed };
  }
}

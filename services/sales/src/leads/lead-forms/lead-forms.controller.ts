import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { LeadFormCommands, type LeadFormView } from '@crm/relationship-api';
import { CurrentPrincipal, RequireDepartment, RequireKind, setEtag, type HeaderResponse, type Principal, type StaffPrincipal } from '@crm/service-kit';
import { CreateLeadFormDto, LeadFormIdParam } from './lead-forms.dto';
import { CreatedLeadFormDto, LEAD_FORM_EXAMPLES, LeadFormDto, LeadFormKeyDto } from './lead-forms.responses';

const staff = (p: Principal) => p as StaffPrincipal;

/**
 * Web forms that capture leads with their own API key (`POST /forms/{formId}/leads`). The key is
 * answered once, on creation and on rotation; the CRM records only its SHA-256 (stream
 * `leadform-<id>`). Revoking is for good.
 */
@ApiTags('lead forms')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales, marketing or management' })
@ApiNotFoundResponse({ description: 'No such form' })
@Controller('lead-forms')
export class LeadFormsController {
  constructor(private readonly forms: LeadFormCommands) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CreatedLeadFormDto,
    description: '`{ formId, apiKey, postTo }`: the key is shown this once (the CRM keeps only its hash; `Cache-Control: no-store`); Location names the form',
    example: LEAD_FORM_EXAMPLES.created,
  })
  @ApiUnprocessableEntityResponse({ description: '`code` names the rule (lead-form-needs-name, lead-form-rate-limit)' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateLeadFormDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const issued = await this.forms.create(staff(p), {
      name: dto.name,
      source: dto.source,
      rateLimit: dto.rateLimit && { requests: dto.rateLimit.requests, windowSeconds: dto.rateLimit.windowSeconds },
    });
    res.setHeader('Location', `/lead-forms/${issued.formId}`);
    res.setHeader('Cache-Control', 'no-store');
    setEtag(res, issued.revision);
    return { formId: issued.formId, apiKey: issued.apiKey, postTo: `/forms/${issued.formId}/leads` };
  }

  @Get(':id')
  @ApiOkResponse({
    type: LeadFormDto,
    description: 'The form: name, source, rate limit, when created, key rotated, revoked (never the key); ETag',
    example: LEAD_FORM_EXAMPLES.form,
  })
  async get(@Param() { id }: LeadFormIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<LeadFormView> {
    const form = await this.forms.get(id);
    setEtag(res, BigInt(form.revision));
    return form;
  }

  @Post(':id/key-rotation')
  @HttpCode(200)
  @ApiOkResponse({
    type: LeadFormKeyDto,
    description: '`{ formId, apiKey }`: the new key, shown this once (`Cache-Control: no-store`); the old one stops working at once',
    example: LEAD_FORM_EXAMPLES.rotated,
  })
  @ApiUnprocessableEntityResponse({ description: '`lead-form-revoked`: a revoked form gets no new key' })
  async rotate(@CurrentPrincipal() p: Principal, @Param() { id }: LeadFormIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const issued = await this.forms.rotateKey(staff(p), id);
    res.setHeader('Cache-Control', 'no-store');
    setEtag(res, issued.revision);
    return { formId: issued.formId, apiKey: issued.apiKey };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked for good (again: nothing changes); its key stops working at once' })
  async revoke(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: LeadFormIdParam,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<void> {
    await this.forms.revoke(staff(p), id, { correlationId });
  }
}

import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { LeadCommands } from '@crm/relationship-api';
import { Public, type HeaderResponse } from '@crm/service-kit';
import { LeadFormKeyGuard, leadFormOf } from './lead-form-key.guard';
import { FormIdParam, WebFormLeadDto } from './lead-forms.dto';
import { WebFormCapturedLeadDto } from './lead-forms.responses';

/**
 * Where a web site's form posts a lead: no staff token, the form's own API key in `x-api-key`
 * instead. Each form is rate limited (its `rateLimit`, fixed windows); over it: 429 with
 * `Retry-After`. The lead is captured like any other (matched to customers, assigned by the rules)
 * with the form's source and the form as its actor.
 */
@ApiTags('lead forms')
@Public()
@UseGuards(LeadFormKeyGuard)
@Controller('forms')
export class WebFormCaptureController {
  constructor(private readonly leads: LeadCommands) {}

  @Post(':formId/leads')
  @HttpCode(201)
  @ApiHeader({ name: 'x-api-key', required: true, description: "The form's API key (from POST /lead-forms or its key rotation)" })
  @ApiCreatedResponse({
    type: WebFormCapturedLeadDto,
    description: '`{ leadId }`; posting the same `submissionId` again is the same lead; Location names it',
    example: { leadId: '48dfe8d8-eaf9-4cc9-965d-25b9df5b937f' },
  })
  @ApiBadRequestResponse({ description: 'A field that is not valid (problem+json naming it)' })
  @ApiUnauthorizedResponse({ description: 'No key, a wrong key, or a revoked or unknown form' })
  @ApiUnprocessableEntityResponse({ description: '`lead-needs-contact`: give an e-mail address or a phone number' })
  @ApiResponse({ status: 429, description: "Over the form's rate limit; `Retry-After` says in how many seconds to try again (problem+json)" })
  async capture(
    @Param() { formId }: FormIdParam,
    @Req() request: unknown,
    @Body() dto: WebFormLeadDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string }> {
    const form = leadFormOf(request);
    // A bot filled the hidden field: answered like a success, nothing recorded.
    if (dto.website) return { leadId: randomUUID() };
    const r = await this.leads.capture(
      { form: formId },
      {
        source: form.source,
        name: dto.name,
        company: dto.company,
        email: dto.email,
        phone: dto.phone,
        country: dto.country,
        region: dto.region,
        // A submission id is unique per form, not across forms.
        externalId: dto.submissionId === undefined ? undefined : `${formId}/${dto.submissionId}`,
        qualification: dto.need ? { need: dto.need } : {},
      },
    );
    res.setHeader('Location', `/leads/${r.id}`);
    return { leadId: r.id };
  }
}

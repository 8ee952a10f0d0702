import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { LeadCommands, LeadFormAuthenticationError, LeadFormCommands } from '@crm/relationship-api';
import { HttpProblem, ProblemTypes, Public, type HeaderResponse } from '@crm/service-kit';
import { LeadFormRateLimiter } from './lead-form-rate-limiter';
import { FormIdParam, WebFormLeadDto } from './lead-forms.dto';

/**
 * Where a web site's form posts a lead: no staff token, the form's own API key in `x-api-key`
 * instead. Each form is rate limited (its `rateLimit`, fixed windows); over it: 429 with
 * `Retry-After`. The lead is captured like any other (matched to customers, assigned by the rules)
 * with the form's source and the form as its actor.
 */
@ApiTags('lead forms')
@Public()
@ApiSecurity('x-api-key')
@Controller('forms')
export class WebFormCaptureController {
  constructor(
    private readonly forms: LeadFormCommands,
    private readonly leads: LeadCommands,
    private readonly limiter: LeadFormRateLimiter,
  ) {}

  @Post(':formId/leads')
  @HttpCode(201)
  @ApiHeader({ name: 'x-api-key', required: true, description: "The form's API key (from POST /lead-forms or its key rotation)" })
  @ApiCreatedResponse({ description: '`{ leadId }`; posting the same `submissionId` again is the same lead' })
  @ApiBadRequestResponse({ description: 'A field that is not valid (problem+json naming it)' })
  @ApiUnauthorizedResponse({ description: 'No key, a wrong key, or a revoked or unknown form' })
  @ApiUnprocessableEntityResponse({ description: '`lead-needs-contact`: give an e-mail address or a phone number' })
  @ApiResponse({ status: 429, description: "Over the form's rate limit; `Retry-After` says in how many seconds to try again (problem+json)" })
  async capture(
    @Param() { formId }: FormIdParam,
    @Headers('x-api-key') apiKey: string | undefined,
    @Body() dto: WebFormLeadDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ leadId: string }> {
    let form;
    try {
      form = await this.forms.authenticate(formId, apiKey);
    } catch (error) {
      if (error instanceof LeadFormAuthenticationError)
        throw new HttpProblem(401, error.message, { type: ProblemTypes.unauthorized, headers: { 'WWW-Authenticate': 'ApiKey header="x-api-key"' } });
      throw error;
    }
    const verdict = this.limiter.take(formId, form.rateLimit);
    if (!verdict.allowed) {
      throw new HttpProblem(429, `this form may post ${form.rateLimit.requests} leads per ${form.rateLimit.windowSeconds} s; try again later`, {
        type: 'urn:crm:problem:rate-limited',
        headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
        extensions: { retryAfterSeconds: verdict.retryAfterSeconds },
      });
    }
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

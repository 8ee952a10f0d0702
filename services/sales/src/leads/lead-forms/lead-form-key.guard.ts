import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { LeadFormAuthenticationError, LeadFormCommands } from '@crm/relationship-api';
import type { LeadForm } from '@crm/relationship';
import { HttpProblem, ProblemTypes } from '@crm/service-kit';
import { LeadFormRateLimiter } from './lead-form-rate-limiter';

type FormRequest = { params?: Record<string, string>; headers: Record<string, string | string[] | undefined>; leadForm?: LeadForm };

/** The form a request was authenticated as (set by `LeadFormKeyGuard`). */
export const leadFormOf = (request: unknown): LeadForm => (request as FormRequest).leadForm!;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Before anything reads the body: the form's API key (`x-api-key`), then its rate limit. A post
 * without a valid key is a 401 whatever it carries, and does not count against the form's limit.
 */
@Injectable()
export class LeadFormKeyGuard implements CanActivate {
  constructor(
    private readonly forms: LeadFormCommands,
    private readonly limiter: LeadFormRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FormRequest>();
    const formId = request.params?.formId ?? '';
    const header = request.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? undefined : header;
    let form: LeadForm;
    try {
      if (!UUID.test(formId)) throw new LeadFormAuthenticationError('unknown form');
      form = await this.forms.authenticate(formId, apiKey);
    } catch (error) {
      if (error instanceof LeadFormAuthenticationError)
        throw new HttpProblem(401, error.message, { type: ProblemTypes.unauthorized, headers: { 'WWW-Authenticate': 'ApiKey header="x-api-key"' } });
      throw error;
    }
    const verdict = this.limiter.take(form.formId, form.rateLimit);
    if (!verdict.allowed) {
      throw new HttpProblem(429, `this form may post ${form.rateLimit.requests} leads per ${form.rateLimit.windowSeconds} s; try again later`, {
        type: 'urn:crm:problem:rate-limited',
        headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
        extensions: { retryAfterSeconds: verdict.retryAfterSeconds },
      });
    }
    request.leadForm = form;
    return true;
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LEAD_SOURCES } from '@crm/kernel';
import { LeadFormRateLimitDto } from './lead-forms.dto';

// The answers of the lead form routes and of the web-form capture. Response shapes only: nothing
// here validates.

const FORM_ID = 'd7339704-09d5-460d-900e-2e76f063ce21';
/** The shape of a form's key, with a made-up value. */
const EXAMPLE_KEY = 'lfk_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc';
const KEY_PATTERN = '^lfk_[A-Za-z0-9_-]{43}$';

/** `POST /lead-forms/{id}/key-rotation`: the new key, this once. */
export class LeadFormKeyDto {
  @ApiProperty({ format: 'uuid', example: FORM_ID }) formId!: string;
  @ApiProperty({
    pattern: KEY_PATTERN,
    description:
      "The form's API key, sent by the web site as `x-api-key`. Secret, and answered only this once (here, and by each key rotation, which answers a new one): the CRM keeps only its SHA-256, so no route shows it again. Store it now",
    example: EXAMPLE_KEY,
  })
  apiKey!: string;
}

/** `POST /lead-forms`: the form, and its key this once. */
export class CreatedLeadFormDto extends LeadFormKeyDto {
  @ApiProperty({ description: 'Where the web site posts its leads (with the key as `x-api-key`)', example: `/forms/${FORM_ID}/leads` }) postTo!: string;
}

/** `GET /lead-forms/{id}`: the form, never its key (nor the key's hash). */
export class LeadFormDto {
  @ApiProperty({ format: 'uuid', example: FORM_ID }) formId!: string;
  @ApiProperty({ example: 'Contact us (www)' }) name!: string;
  @ApiProperty({ enum: LEAD_SOURCES, description: 'The source its leads are captured with' }) source!: string;
  @ApiProperty({ type: LeadFormRateLimitDto, description: 'At most `requests` leads per window of `windowSeconds`' }) rateLimit!: LeadFormRateLimitDto;
  @ApiProperty({ format: 'date-time', example: '2026-03-01T09:00:00.000Z' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When its key was last rotated (absent: never)' }) keyRotatedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Revoked then, for good: it captures nothing more (absent: in use)' }) revokedAt?: string;
  @ApiProperty({ description: 'The stream revision (also the ETag)', example: '0' }) revision!: string;
}

export const LEAD_FORM_EXAMPLES = {
  created: { formId: FORM_ID, apiKey: EXAMPLE_KEY, postTo: `/forms/${FORM_ID}/leads` },
  rotated: { formId: FORM_ID, apiKey: EXAMPLE_KEY },
  form: {
    formId: FORM_ID,
    name: 'Contact us (www)',
    source: 'web-form',
    rateLimit: { requests: 30, windowSeconds: 60 },
    createdAt: '2026-03-01T09:00:00.000Z',
    keyRotatedAt: '2026-04-01T08:30:00.000Z',
    revision: '1',
  },
};

/** `POST /forms/{formId}/leads`. */
export class WebFormCapturedLeadDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The lead (the same one for the same `submissionId`). A post that filled the honeypot gets a made-up id: nothing was recorded',
    example: '48dfe8d8-eaf9-4cc9-965d-25b9df5b937f',
  })
  leadId!: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERASED, LEAD_SOURCES } from '@crm/kernel';
import { LEAD_OFFER_STATUSES, LEAD_OUTCOMES } from '@crm/relationship';
import { LEAD_STATUSES } from './list-leads/list-leads.dto';

// The answers of the lead routes (capture, read, qualify, assign, disqualify, convert), as the
// OpenAPI document and the generated clients show them. Response shapes only: nothing here validates.

const LEAD_ID = '48dfe8d8-eaf9-4cc9-965d-25b9df5b937f';
const CUSTOMER_ID = '77670316-0075-4a9a-95b0-0d17203ea982';
const CONTACT_ID = '4e2f558a-e809-4936-94ca-15e783dcdd3a';
const OPPORTUNITY_ID = 'b864c44f-394c-4eb9-abc7-42cb8cae19a6';

/** `POST /leads`. */
export class CapturedLeadDto {
  @ApiProperty({ format: 'uuid', description: 'The lead (the one captured before, when this capture was done already)', example: LEAD_ID })
  leadId!: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A live customer already holding the e-mail or phone: convert the lead with `attachTo` set to it',
    example: CUSTOMER_ID,
  })
  matchingCustomerId?: string;
  @ApiPropertyOptional({
    description: 'The staff user the assignment rules assigned the new lead to (absent when no rule matched, or on a repeated capture)',
    example: 'sari',
  })
  owner?: string;
  @ApiPropertyOptional({ description: 'The assignment rule that chose `owner`', example: 'java-territory' })
  assignedByRule?: string;
}

/** The BANT answers as recorded (only the ones given). */
export class LeadQualificationAnswersDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'What the prospect can spend, in integer minor units of `currency`', example: 50000000 })
  budget?: number;
  @ApiPropertyOptional({ pattern: '^[A-Z]{3}$', description: 'ISO 4217', example: 'IDR' }) currency?: string;
  @ApiPropertyOptional({ description: 'Whether the person can decide the purchase' }) authority?: boolean;
  @ApiPropertyOptional({ description: "The need, in the prospect's words (removed when its personal data is erased)", example: 'ten vans' }) need?: string;
  @ApiPropertyOptional({ description: 'When they mean to buy, as given (a date, or an instant)', example: '2026-06-30' }) timeline?: string;
}

export class LeadScoreDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 45 }) score!: number;
  @ApiProperty({ type: [String], description: 'Why: one line per rule that counted', example: ['+25 has a budget', '+20 has a stated need'] })
  reasons!: string[];
}

/** What a conversion made of the lead. */
export class LeadConversionIdsDto {
  @ApiProperty({ format: 'uuid', description: 'The customer registered from the lead, or the one it was attached to', example: CUSTOMER_ID })
  customerId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The contact registered for the person (a lead with a company, not attached)', example: CONTACT_ID })
  contactId?: string;
  @ApiProperty({ format: 'uuid', description: 'The opportunity opened for it', example: OPPORTUNITY_ID }) opportunityId!: string;
}

/** One offer of the lead to a partner. */
export class LeadOfferDto {
  @ApiProperty({ format: 'uuid', description: 'Derived from the lead and the attempt' }) offerId!: string;
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: '1 for the first offer of the lead, then 2, 3, …' }) attempt!: number;
  @ApiProperty({ enum: LEAD_OFFER_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) offeredAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Unanswered by then, the offer expires and the lead goes to the next partner' }) expiresAt!: string;
  @ApiProperty({ description: "The partner's routing score when offered (two decimals)", example: 60 }) score!: number;
  @ApiProperty({ type: [String], description: 'Why the routing ranked the partner so', example: ['territory ID'] }) reasons!: string[];
  @ApiPropertyOptional({ description: 'A declined offer: why' }) declineReason?: string;
  @ApiPropertyOptional({ enum: LEAD_OUTCOMES, description: 'An accepted offer: how it ended, as the partner reported' }) outcome?: string;
  @ApiPropertyOptional({ description: "The partner's note on the outcome" }) outcomeNote?: string;
}

/** The lead's distribution to partners (recorded by the partner portal on the lead's own stream). */
export class LeadDistributionDto {
  @ApiProperty({
    enum: ['offered', 'accepted', 'exhausted'],
    description: '`offered`: an offer is open; `accepted`: a partner took the lead; `exhausted`: no partner was left',
  })
  status!: string;
  @ApiProperty({ type: [String], description: 'The catalogue products or product families the lead is about', example: ['VAN'] }) products!: string[];
  @ApiProperty({ type: [LeadOfferDto], description: 'Every offer, first to last' }) offers!: LeadOfferDto[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The partner that accepted the lead (it is assigned to them)' }) partnerId?: string;
  @ApiPropertyOptional({ enum: LEAD_OUTCOMES }) outcome?: string;
}

/** `GET /leads/{id}`: the lead as its own history tells it, with its score. */
export class LeadDto {
  @ApiProperty({ format: 'uuid', example: LEAD_ID }) leadId!: string;
  @ApiProperty({ enum: LEAD_STATUSES, description: '`qualified` once every BANT answer is known and the person can decide' }) status!: string;
  @ApiProperty({ enum: LEAD_SOURCES }) source!: string;
  @ApiProperty({ description: `The person; \`${ERASED}\` once its personal data is erased`, example: 'Rina Kartika' }) name!: string;
  @ApiPropertyOptional({ description: 'Absent once erased', example: 'CV Sinar' }) company?: string;
  @ApiPropertyOptional({ description: 'Absent once erased', example: 'rina@sinar.example' }) email?: string;
  @ApiPropertyOptional({ description: 'Absent once erased', example: '+62 21 555 0101' }) phone?: string;
  @ApiProperty({ type: LeadQualificationAnswersDto, description: 'The BANT answers (`{}` when none)' }) qualification!: LeadQualificationAnswersDto;
  @ApiPropertyOptional({ description: 'The staff user who owns it (`partner/<partnerId>` when a partner accepted it)', example: 'sari' }) owner?: string;
  @ApiPropertyOptional({ description: 'The assignment rule that chose the owner (absent: assigned by hand)', example: 'java-territory' })
  assignedByRule?: string;
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, upper case', example: 'ID' }) country?: string;
  @ApiPropertyOptional({ example: 'java-west' }) region?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'A customer that held its e-mail or phone when it was captured: convert with `attachTo`' })
  matchingCustomerId?: string;
  @ApiPropertyOptional({ type: LeadConversionIdsDto, description: 'Once converted' }) converted?: LeadConversionIdsDto;
  @ApiPropertyOptional({ enum: [true], description: 'Its personal data was erased: nothing left to reach or convert' }) erased?: true;
  @ApiPropertyOptional({ type: LeadDistributionDto, description: 'Once its distribution to partners started' }) distribution?: LeadDistributionDto;
  @ApiProperty({ description: 'The stream revision (also the ETag)', example: '3' }) revision!: string;
  @ApiProperty({ type: LeadScoreDto, description: 'The rule-based score now, with its reasons' }) score!: LeadScoreDto;
}

export const LEAD_EXAMPLE = {
  leadId: LEAD_ID,
  status: 'qualified',
  source: 'web-form',
  name: 'Rina Kartika',
  company: 'CV Sinar',
  email: 'rina@sinar.example',
  qualification: { budget: 50000000, currency: 'IDR', authority: true, need: 'ten vans', timeline: '2026-06-30' },
  owner: 'sari',
  assignedByRule: 'java-territory',
  country: 'ID',
  region: 'java-west',
  revision: '3',
  score: { score: 90, reasons: ['+25 has a budget', '+25 can decide the purchase', '+20 has a stated need', '+20 means to buy within 90 days'] },
};

/** `PUT /leads/{id}/qualification` and `POST /leads/{id}/disqualification`. */
export class LeadChangedDto {
  @ApiProperty({ format: 'uuid', example: LEAD_ID }) leadId!: string;
}

/** `POST /leads/{id}/assignment`. */
export class LeadAssignedDto {
  @ApiProperty({ format: 'uuid', example: LEAD_ID }) leadId!: string;
  @ApiProperty({ description: 'The staff user it is assigned to now', example: 'sari' }) owner!: string;
}

/** `POST /leads/{id}/conversion`: the same ids on every retry. */
export class ConvertedLeadDto extends LeadConversionIdsDto {
  @ApiProperty({ format: 'uuid', example: LEAD_ID }) leadId!: string;
}

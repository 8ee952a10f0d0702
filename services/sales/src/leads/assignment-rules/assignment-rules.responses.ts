import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LeadAssignmentRuleDto } from './assignment-rules.dto';

// The answer of `GET` and `PUT /lead-assignment-rules`. Response shapes only: nothing here validates.

/** The assignment rules in force. */
export class LeadAssignmentRulesDto {
  @ApiProperty({
    type: [LeadAssignmentRuleDto],
    description: 'In order, as they were last given: the first rule a new lead matches assigns it; `[]`: no automatic assignment',
  })
  rules!: LeadAssignmentRuleDto[];
  @ApiPropertyOptional({ description: 'The staff user who last replaced them (absent while they never were)', example: 'rudi' }) replacedBy?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When they were last replaced (absent while they never were)', example: '2026-03-01T09:00:00.000Z' })
  replacedAt?: string;
}

export const LEAD_ASSIGNMENT_RULES_EXAMPLE = {
  rules: [
    { ruleId: 'java-territory', match: { countries: ['ID'], regions: ['java-west'] }, owner: 'sari' },
    { ruleId: 'everyone-else', team: ['budi', 'maya'] },
  ],
  replacedBy: 'rudi',
  replacedAt: '2026-03-01T09:00:00.000Z',
};

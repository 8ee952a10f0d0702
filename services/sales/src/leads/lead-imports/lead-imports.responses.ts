import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_IMPORT_LIMITS } from './lead-import';

// The answer of `POST /leads/imports`. Response shapes only: nothing here validates.

/** A line that was not imported, and why. */
export class LeadImportLineErrorDto {
  @ApiProperty({
    type: 'integer',
    minimum: 2,
    description: 'The line of the file (1 is the header); a record spread over several lines names its last',
    example: 4,
  })
  line!: number;
  @ApiProperty({ description: 'The column at fault (`qualification.budget` for budget), or `line` for the line as a whole', example: 'email' })
  field!: string;
  @ApiProperty({ example: 'email must be an email' }) reason!: string;
}

export class LeadImportResultDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Lines that captured a new lead', example: 3 }) created!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Lines whose external id was imported before: nothing new (an import never changes a lead)',
    example: 0,
  })
  duplicates!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Lines not imported (every one counted)', example: 1 }) failed!: number;
  @ApiProperty({
    type: [LeadImportLineErrorDto],
    maxItems: DEFAULT_IMPORT_LIMITS.maxErrors,
    description: `The failed lines, in file order (the first ${DEFAULT_IMPORT_LIMITS.maxErrors}; \`failed\` counts them all)`,
  })
  errors!: LeadImportLineErrorDto[];
}

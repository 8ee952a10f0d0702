import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEA_LIMITS } from '@crm/contact-centre-efficiency';
import { IsCalendarDate, IsInstant, NestedObjects } from '@crm/contracts';

export const MEASURE_GROUPINGS = ['team', 'channel', 'none'] as const;
export const DEA_MODELS = ['ccr', 'bcc'] as const;

/** The window (days, both included) and the instant the history is read as of. */
export class ContactCentreWindowDto {
  @ApiPropertyOptional({ description: 'First day of the window (default: 29 days before `to`)', example: '2026-03-01' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;
  @ApiPropertyOptional({ description: "Last day of the window, included (default: asOf's day)", example: '2026-03-31' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
  @ApiPropertyOptional({ description: 'The instant the history is read as of (now when omitted)', example: '2026-04-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class ContactCentreMeasuresQueryDto extends ContactCentreWindowDto {
  @ApiPropertyOptional({
    enum: MEASURE_GROUPINGS,
    default: 'none',
    description: "team: the case's team at resolution (calls: the call's team); channel: the channel the case came in on",
  })
  @IsOptional()
  @IsIn(MEASURE_GROUPINGS)
  groupBy?: (typeof MEASURE_GROUPINGS)[number];
}

export class ContactCentreEfficiencyQueryDto extends ContactCentreWindowDto {
  @ApiPropertyOptional({
    enum: DEA_MODELS,
    default: 'ccr',
    description: 'ccr: constant returns to scale; bcc: variable returns to scale (both input-oriented)',
  })
  @IsOptional()
  @IsIn(DEA_MODELS)
  model?: (typeof DEA_MODELS)[number];
}

const figures = { each: true } as const;

export class DeaUnitDto {
  @ApiProperty({ example: 'Seoul 1', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
  @ApiProperty({ type: [Number], example: [42, 6800, 150000000], description: `Inputs, same order and number for every unit (1–${DEA_LIMITS.maxInputs}), ≥ 0` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DEA_LIMITS.maxInputs)
  @IsNumber({ allowNaN: false, allowInfinity: false }, figures)
  @Min(0, figures)
  @Max(1e15, figures)
  inputs!: number[];
  @ApiProperty({ type: [Number], example: [9100, 6400, 5200], description: `Outputs, same order and number for every unit (1–${DEA_LIMITS.maxOutputs}), ≥ 0` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DEA_LIMITS.maxOutputs)
  @IsNumber({ allowNaN: false, allowInfinity: false }, figures)
  @Min(0, figures)
  @Max(1e15, figures)
  outputs!: number[];
}

/** Units a company brings itself (its call centres' figures), evaluated by DEA. */
export class EvaluateEfficiencyDto {
  @ApiPropertyOptional({ enum: DEA_MODELS, default: 'ccr' })
  @IsOptional()
  @IsIn(DEA_MODELS)
  model?: (typeof DEA_MODELS)[number];
  @ApiPropertyOptional({ type: [String], example: ['agents', 'hours', 'cost'], description: 'Names of the inputs, for the answer (default input1, input2…)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DEA_LIMITS.maxInputs)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  inputNames?: string[];
  @ApiPropertyOptional({ type: [String], example: ['resolved', 'first-contact', 'satisfied'], description: 'Names of the outputs (default output1…)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DEA_LIMITS.maxOutputs)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  outputNames?: string[];
  @ApiProperty({ type: [DeaUnitDto], description: `1–${DEA_LIMITS.maxUnits} units, names unique` })
  @NestedObjects(() => DeaUnitDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(DEA_LIMITS.maxUnits)
  units!: DeaUnitDto[];
}

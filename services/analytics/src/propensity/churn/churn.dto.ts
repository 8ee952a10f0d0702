import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@crm/contracts';

export class TrainChurnModelDto {
  @ApiPropertyOptional({
    description: 'T: features as of this instant, churn observed in (T, T + windowDays]. Default: now − windowDays (the latest T whose window is over)',
    example: '2026-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({
    description: 'A customer who bought by T and places no order in this many days after T has churned',
    default: 90,
    minimum: 7,
    maximum: 730,
  })
  @IsOptional()
  @IsInt()
  @Min(7)
  @Max(730)
  windowDays?: number;

  @ApiPropertyOptional({
    description: 'Share of churners, and of retained customers, held out for the AUC (each ordered by a hash of the customer id and the seed: stratified)',
    default: 0.3,
    minimum: 0.1,
    maximum: 0.5,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(0.5)
  holdOutShare?: number;

  @ApiPropertyOptional({ description: 'Ridge (L2) penalty on the standardised coefficients (scikit-learn’s 1/C)', default: 1, minimum: 0.001, maximum: 1000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(1000)
  l2?: number;

  @ApiPropertyOptional({ description: 'Seed of the hold-out split: the same seed puts each customer on the same side', default: 0, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  seed?: number;
}

export class ChurnRiskQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'Score the customer as they stood at this instant: features from the facts dated up to it, by the latest model, the window counted from it; P(alive) from the BG/NBD fit of that day (UTC). Now when omitted or later.',
    example: '2026-06-30T23:59:59Z',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class AtRiskQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class ChurnReasonView {
  @ApiProperty({ example: 'recency_days' }) feature!: string;
  @ApiProperty({ example: 'days since the last purchase' }) label!: string;
  @ApiProperty({ description: 'The customer’s value of the feature', example: 212 }) value!: number;
  @ApiProperty({ description: 'Coefficient × standardised value: how much it raises the log-odds of churning against an average customer', example: 1.42 })
  contribution!: number;
}

export const CHURN_MODEL_EXAMPLE = {
  version: 3,
  trainedAt: '2026-03-01T09:00:00.000Z',
  parameters: { asOf: '2025-12-01T09:00:00.000Z', windowDays: 90, holdOutShare: 0.3, l2: 1, seed: 0 },
  evaluation: { auc: 0.83, trainingAuc: 0.86, trainingSize: 412, holdOutSize: 176, trainingChurners: 130, holdOutChurners: 57 },
  intercept: -0.71,
  features: [{ name: 'recency_days', label: 'days since the last purchase', coefficient: 1.12, mean: 64.2, sd: 51.7 }],
  iterations: 7,
  converged: true,
};

export const CHURN_RISK_EXAMPLE = {
  customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
  modelVersion: 3,
  asOf: '2026-03-01T09:00:00.000Z',
  horizonDays: 90,
  probability: 0.74,
  reasons: [
    { feature: 'recency_days', label: 'days since the last purchase', value: 212, contribution: 1.42 },
    { feature: 'unresolved_cases_last_365d', label: 'cases closed unresolved in the last 365 days', value: 2, contribution: 0.61 },
  ],
  pAlive: 0.31,
};

export const CHURN_MODEL_SCHEMA = {
  type: 'object',
  properties: {
    version: { type: 'integer' },
    trainedAt: { type: 'string', format: 'date-time' },
    parameters: {
      type: 'object',
      properties: {
        asOf: { type: 'string', format: 'date-time' },
        windowDays: { type: 'integer' },
        holdOutShare: { type: 'number' },
        l2: { type: 'number' },
        seed: { type: 'integer' },
      },
    },
    evaluation: {
      type: 'object',
      properties: {
        auc: { type: 'number', description: 'ROC AUC on the hold-out customers' },
        trainingAuc: { type: 'number' },
        trainingSize: { type: 'integer' },
        holdOutSize: { type: 'integer' },
        trainingChurners: { type: 'integer' },
        holdOutChurners: { type: 'integer' },
      },
    },
    intercept: { type: 'number' },
    features: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, label: { type: 'string' }, coefficient: { type: 'number' }, mean: { type: 'number' }, sd: { type: 'number' } },
      },
    },
    iterations: { type: 'integer' },
    converged: { type: 'boolean' },
  },
};

export const CHURN_REASONS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: { feature: { type: 'string' }, label: { type: 'string' }, value: { type: 'number' }, contribution: { type: 'number' } },
  },
};

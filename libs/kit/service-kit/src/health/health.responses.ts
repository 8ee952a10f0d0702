import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

export class HealthCheckResultDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ type: 'integer', minimum: 0, description: 'How long the check took' }) durationMs!: number;
  @ApiPropertyOptional({ enum: ['timeout', 'error'], description: 'Why it is down (the error itself is logged, not published)' }) reason?: 'timeout' | 'error';
}

export class ReadinessChecksDto {
  @ApiProperty({ type: HealthCheckResultDto }) eventStore!: HealthCheckResultDto;
  @ApiProperty({ type: HealthCheckResultDto }) bus!: HealthCheckResultDto;
  @ApiProperty({ type: HealthCheckResultDto }) database!: HealthCheckResultDto;
}

export class ReadinessReportDto {
  @ApiProperty({ enum: ['ok', 'degraded'], description: '`degraded`: ready, but an indicator reports a problem (e.g. parked events in a read model)' })
  status!: 'ok' | 'degraded';
  @ApiProperty({ type: ReadinessChecksDto }) checks!: ReadinessChecksDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['up', 'degraded', 'down'] } },
      additionalProperties: true,
    },
    description: "The service's own indicators by name (its read models: state, parked events, lag…), each with its status and details",
  })
  indicators?: Record<string, { status: 'up' | 'degraded' | 'down'; [detail: string]: unknown }>;
}

export const READINESS_EXAMPLE = {
  status: 'ok',
  checks: { eventStore: { status: 'up', durationMs: 2 }, bus: { status: 'up', durationMs: 1 }, database: { status: 'up', durationMs: 1 } },
  indicators: { readModels: { status: 'up', state: 'live', parkedEvents: 0 } },
};

import { Equals, IsDefined, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';
import { IsIso8601Strict } from './envelope-time';

/** class-validator schema of the CloudEvents envelope; the payload is checked by its own DTO. */
export class IntegrationEventEnvelopeDto {
  @Equals('1.0') specversion!: string;
  @IsUUID() id!: string;
  @IsString() @IsNotEmpty() source!: string;
  @IsString() @Matches(/^[A-Za-z][A-Za-z0-9.-]*$/) type!: string;
  @IsIso8601Strict() time!: string;
  @IsString() @IsNotEmpty() subject!: string;
  @IsIn(['application/json']) datacontenttype!: string;
  @IsInt() @Min(1) schemaversion!: number;
  @IsString() @IsNotEmpty() correlationid!: string;
  @IsString() @IsNotEmpty() causationid!: string;
  @IsString() @IsNotEmpty() actor!: string;
  @IsString() @IsNotEmpty() visibility!: string;
  @IsOptional() @IsString() @Matches(/^-?\d+\/-?\d+$/) position?: string;
  @IsOptional() @IsString() streamid?: string;
  @IsOptional() @IsIso8601Strict() recordedat?: string;
  // Distributed tracing: only strings; a malformed value is ignored by the consumer, never a dead letter.
  @IsOptional() @IsString() traceparent?: string;
  @IsOptional() @IsString() tracestate?: string;
  @IsDefined() data!: unknown;
}

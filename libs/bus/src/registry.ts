import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { IntegrationEventEnvelopeDto } from './envelope.dto';
import type { IntegrationEvent } from './envelope';

type Ctor<T = object> = new () => T;

export class InvalidIntegrationEventError extends Error {
  override readonly name = 'InvalidIntegrationEventError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The integration events this system knows: (type, schema version) → the class-validator DTO of
 * its payload. Producers validate before publishing, consumers after receiving; an unknown type or
 * version is an error on both sides (consumers dead-letter it).
 */
export class IntegrationEventRegistry {
  private readonly schemas = new Map<string, Ctor>();

  register(type: string, schemaVersion: number, payload: Ctor): this {
    this.schemas.set(`${type}@${schemaVersion}`, payload);
    return this;
  }

  has(type: string, schemaVersion: number): boolean {
    return this.schemas.has(`${type}@${schemaVersion}`);
  }

  types(): string[] {
    return [...this.schemas.keys()];
  }

  /** Returns the event if it is a valid, known integration event; throws with the reason otherwise. */
  validate(candidate: unknown): IntegrationEvent {
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      throw new InvalidIntegrationEventError('message is not a JSON object');
    }
    const envelope = plainToInstance(IntegrationEventEnvelopeDto, candidate);
    const envelopeErrors = validateSync(envelope, { forbidUnknownValues: false });
    if (envelopeErrors.length) throw new InvalidIntegrationEventError(`invalid envelope: ${describeErrors(envelopeErrors)}`);
    const event = candidate as IntegrationEvent;
    const schema = this.schemas.get(`${event.type}@${event.schemaversion}`);
    if (!schema) throw new InvalidIntegrationEventError(`unknown event type ${event.type} schema version ${event.schemaversion}`);
    if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) throw new InvalidIntegrationEventError('data must be a JSON object');
    const payload = plainToInstance(schema, event.data);
    const payloadErrors = validateSync(payload, { whitelist: true, forbidNonWhitelisted: true });
    if (payloadErrors.length) throw new InvalidIntegrationEventError(`invalid data of ${event.type}@${event.schemaversion}: ${describeErrors(payloadErrors)}`);
    return event;
  }

  /** Parses and validates a raw bus message. */
  parse(raw: string): IntegrationEvent {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new InvalidIntegrationEventError('message is not valid JSON');
    }
    return this.validate(json);
  }
}

export function describeErrors(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((e) => {
      const path = parent ? `${parent}.${e.property}` : e.property;
      const own = e.constraints ? [`${path}: ${Object.values(e.constraints).join('; ')}`] : [];
      return e.children?.length ? [...own, describeErrors(e.children, path)] : own;
    })
    .join(', ');
}

import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { CompiledValidator, type PayloadProblem } from './compiled-validator';
import { IntegrationEventEnvelopeDto } from './envelope.dto';
import type { IntegrationEvent } from './envelope';

type Ctor<T = object> = new () => T;

/** The envelope's own contract, compiled like the payloads' (extension attributes are declared there). */
const ENVELOPE = new CompiledValidator(IntegrationEventEnvelopeDto, { allowUnknown: true });

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
  private readonly schemas = new Map<string, { dto: Ctor; validator: CompiledValidator }>();

  register(type: string, schemaVersion: number, payload: Ctor): this {
    this.schemas.set(`${type}@${schemaVersion}`, { dto: payload, validator: new CompiledValidator(payload) });
    return this;
  }

  /** The class-validator DTO of an event's payload (the contract as declared). */
  payloadDto(type: string, schemaVersion: number): Ctor | undefined {
    return this.schemas.get(`${type}@${schemaVersion}`)?.dto;
  }

  /** Problems of a payload against its contract (empty: valid); undefined for an unknown type. */
  payloadProblems(type: string, schemaVersion: number, data: unknown): PayloadProblem[] | undefined {
    return this.schemas.get(`${type}@${schemaVersion}`)?.validator.validate(data);
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
    const envelopeProblems = ENVELOPE.validate(candidate);
    if (envelopeProblems.length) throw new InvalidIntegrationEventError(`invalid envelope: ${describeProblems(envelopeProblems)}`);
    const event = candidate as IntegrationEvent;
    const schema = this.schemas.get(`${event.type}@${event.schemaversion}`);
    if (!schema) throw new InvalidIntegrationEventError(`unknown event type ${event.type} schema version ${event.schemaversion}`);
    if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data))
      throw new InvalidIntegrationEventError('data must be a JSON object');
    const problems = schema.validator.validate(event.data);
    if (problems.length) throw new InvalidIntegrationEventError(`invalid data of ${event.type}@${event.schemaversion}: ${describeProblems(problems)}`);
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

/**
 * class-validator's own verdict on a payload (plainToInstance + validateSync with the registry's
 * options): the reference the compiled validator is held to in tests.
 */
export function classValidatorProblems(dto: Ctor, data: object): string {
  return describeErrors(validateSync(plainToInstance(dto, data), { whitelist: true, forbidNonWhitelisted: true }));
}

export function describeProblems(problems: readonly PayloadProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join(', ');
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

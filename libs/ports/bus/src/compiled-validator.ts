import { getFromContainer, getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Ctor = new () => object;

// class-transformer's registry of @Type() declarations (which DTO a nested property holds); its
// CommonJS build ships no typings for this entry point.
type ClassTransformerStorage = {
  defaultMetadataStorage: { findTypeMetadata(target: Function, property: string): { typeFunction(): unknown } | undefined };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storage = require('class-transformer/cjs/storage') as ClassTransformerStorage;
const typeMetadata = storage.defaultMetadataStorage;

/** One failed check: where (a dotted path into the payload) and why. */
export interface PayloadProblem {
  path: string;
  message: string;
}

/**
 * A property's check. The property's path (`join(path, name)`) is built only when a problem is found
 * (the common case finds none): no string or closure per property of every event.
 */
type Check = (value: unknown, object: Record<string, unknown>, path: string, name: string, out: PayloadProblem[]) => void;

interface PropertyPlan {
  name: string;
  /** IsOptional / ValidateIf: when one says no, the property is not checked at all. */
  conditions: ((object: unknown, value: unknown) => boolean)[];
  checks: Check[];
}

interface ClassPlan {
  properties: PropertyPlan[];
  known: Set<string>;
}

/**
 * A payload validator compiled once per contract class from its class-validator decorators — the one
 * schema source — for the hot paths (every event the relay publishes, every event a consumer applies,
 * every page of a rebuild). It runs the very constraint functions class-validator runs (isString,
 * isIn, isISO8601…, with the decorator's arguments) straight on the JSON, without class-transformer
 * and class-validator's executor, which cost ~100 µs per event; nested DTOs (`@ValidateNested` with
 * `@Type`) are followed, unknown properties refused (whitelist), `@IsOptional` honoured.
 * `contracts-validator.unit.spec.ts` holds it to class-validator's verdict on a corpus of payloads.
 */
export class CompiledValidator {
  private readonly plans = new Map<Ctor, ClassPlan>();

  /** `allowUnknown`: properties the DTO does not declare pass (an envelope's extension attributes). */
  constructor(
    private readonly root: Ctor,
    private readonly options: { allowUnknown?: boolean } = {},
  ) {
    this.plan(root);
  }

  validate(payload: unknown): PayloadProblem[] {
    const out: PayloadProblem[] = [];
    this.check(this.root, payload, '', out);
    return out;
  }

  private check(target: Ctor, value: unknown, path: string, out: PayloadProblem[]): void {
    if (typeof value !== 'object' || value === null) {
      out.push({ path: path || '(payload)', message: `${path || 'payload'} must be an object` });
      return;
    }
    const plan = this.plans.get(target)!;
    const object = value as Record<string, unknown>;
    if (!(this.options.allowUnknown && target === this.root)) {
      for (const key of Object.keys(object)) {
        if (!plan.known.has(key)) out.push({ path: join(path, key), message: `property ${key} should not exist` });
      }
    }
    properties: for (const property of plan.properties) {
      const v = object[property.name];
      for (const condition of property.conditions) if (!condition(object, v)) continue properties;
      for (const check of property.checks) check(v, object, path, property.name, out);
    }
  }

  private plan(target: Ctor): void {
    if (this.plans.has(target)) return;
    const plan: ClassPlan = { properties: [], known: new Set() };
    this.plans.set(target, plan);
    const metadata = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false) as ValidationMetadata[];
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const m of metadata) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
    for (const [name, list] of byProperty) {
      plan.known.add(name);
      const property: PropertyPlan = { name, conditions: [], checks: [] };
      for (const m of list) {
        switch (m.type) {
          case ValidationTypes.CONDITIONAL_VALIDATION:
            property.conditions.push(m.constraints[0] as (object: unknown, value: unknown) => boolean);
            break;
          case ValidationTypes.WHITELIST:
            break; // @Allow: known, nothing to check
          case ValidationTypes.IS_DEFINED:
            property.checks.push((v, _o, path, key, out) => {
              if (v === undefined || v === null) out.push({ path: join(path, key), message: `${name} should not be null or undefined` });
            });
            break;
          case ValidationTypes.CUSTOM_VALIDATION:
            property.checks.push(this.constraintCheck(m, target));
            break;
          // class-validator does not follow an undefined nested property: the DTO says whether it
          // is required (@IsDefined, @IsObject…), not @ValidateNested.
          case ValidationTypes.NESTED_VALIDATION: {
            const type = (typeMetadata.findTypeMetadata(target, name)?.typeFunction() as Ctor | undefined) ?? undefined;
            if (!type) throw new Error(`${target.name}.${name}: @ValidateNested needs @Type(() => Dto) to be compiled`);
            this.plan(type);
            property.checks.push((v, _o, path, key, out) => {
              if (v !== undefined) this.nested(type, v, join(path, key), out);
            });
            break;
          }
          default:
            throw new Error(`${target.name}.${name}: validation type ${m.type} is not supported by the compiled validator`);
        }
      }
      plan.properties.push(property);
    }
  }

  /** As class-validator does for @ValidateNested: arrays (and their arrays) element by element, objects against their DTO. */
  private nested(type: Ctor, value: unknown, path: string, out: PayloadProblem[]): void {
    if (Array.isArray(value)) {
      value.forEach((element, i) => this.nested(type, element, join(path, String(i)), out));
    } else if (typeof value === 'object' && value !== null) {
      this.check(type, value, path, out);
    } else {
      out.push({ path, message: `nested property ${last(path)} must be either object or array` });
    }
  }

  private constraintCheck(m: ValidationMetadata, target: Ctor): Check {
    const constraint = getFromContainer(m.constraintCls as new () => ValidatorConstraintInterface);
    if (constraint.validate.constructor.name === 'AsyncFunction') throw new Error(`${target.name}.${m.propertyName}: async constraints are not supported`);
    // One arguments object per check, filled in for each call: validation is synchronous (async
    // constraints are refused above), and a problem's message is made before the next call.
    const shared: ValidationArguments = { value: undefined, constraints: m.constraints, targetName: target.name, object: {}, property: m.propertyName };
    const args = (value: unknown, object: object): ValidationArguments => {
      shared.value = value;
      shared.object = object;
      return shared;
    };
    const one: Check = (value, object, path, key, out) => {
      const a = args(value, object);
      if (constraint.validate(value, a) !== true) out.push({ path: join(path, key), message: message(constraint, m, a) });
    };
    if (!m.each) return one;
    return (value, object, path, key, out) => {
      if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
        const items = value instanceof Map ? [...value.values()] : [...value];
        const failed = items.some((item) => constraint.validate(item, args(item, object)) !== true);
        if (failed) out.push({ path: join(path, key), message: message(constraint, m, args(value, object), true) });
      } else {
        one(value, object, path, key, out);
      }
    };
  }
}

function message(constraint: ValidatorConstraintInterface, m: ValidationMetadata, a: ValidationArguments, each = false): string {
  const raw = typeof m.message === 'function' ? m.message(a) : (m.message ?? constraint.defaultMessage?.(a) ?? `${a.property} is invalid`);
  const text = String(raw)
    .replace(/\$property/g, a.property)
    .replace(/\$value/g, String(a.value))
    .replace(/\$target/g, a.targetName)
    .replace(/\$constraint(\d+)/g, (_, n: string) => String((a.constraints ?? [])[Number(n) - 1]));
  return each && !text.startsWith('each value in') ? `each value in ${text}` : text;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function last(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

import { isCurrencyCode } from '@crm/kernel';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * An ISO 4217 currency code with a minor unit (`EUR`, `IDR`, `JPY`), as `@crm/kernel` lists them:
 * for the contracts' amounts and for the DTOs' — one rule, so the write side accepts exactly what
 * the contracts accept.
 */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value: unknown) => isCurrencyCode(value),
        defaultMessage: (args) => `${args?.property ?? 'the value'} must be an ISO 4217 currency code with a minor unit, in capitals (EUR, IDR, JPY)`,
      },
    },
    options,
  );
}

/** Integer minor units, 0 up to 2^53 − 1 (what JSON numbers hold exactly). */
export function IsMinorUnits(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMinorUnits',
      validator: {
        validate: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
        defaultMessage: (args) =>
          `${args?.property ?? 'the value'} must be a whole number of minor units of its currency (cents for EUR: 12.50 EUR is 1250), from 0 to 9007199254740991`,
      },
    },
    options,
  );
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = CALENDAR_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A day of the calendar, `2026-06-30` (no time, no zone): an expected close date. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: (args) => `${args?.property ?? 'the value'} must be a calendar date YYYY-MM-DD such as 2026-06-30`,
      },
    },
    options,
  );
}

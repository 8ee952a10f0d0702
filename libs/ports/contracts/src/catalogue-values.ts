import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Every ISO 4217 currency this runtime's ICU knows (`Intl.supportedValuesOf('currency')`): EUR, IDR, JPY… */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const isIso4217CurrencyCode = (value: unknown): boolean => typeof value === 'string' && /^[A-Z]{3}$/.test(value) && CURRENCIES.has(value);

/** An upper-case ISO 4217 code of a currency in use, checked against a real list (not only `[A-Z]{3}`). */
export function IsIso4217Currency(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIso4217Currency',
      validator: {
        validate: (value: unknown) => isIso4217CurrencyCode(value),
        defaultMessage: (args) => `${args?.property ?? 'currency'} must be an ISO 4217 currency code in upper case (e.g. EUR, IDR)`,
      },
    },
    options,
  );
}

/** A calendar day that exists, `YYYY-MM-DD` (price book validity, quote dates). */
export const isCalendarDay = (value: unknown): boolean => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
};

export function IsCalendarDay(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDay',
      validator: {
        validate: (value: unknown) => isCalendarDay(value),
        defaultMessage: (args) => `${args?.property ?? 'the value'} must be a calendar day YYYY-MM-DD that exists (e.g. 2026-03-01)`,
      },
    },
    options,
  );
}

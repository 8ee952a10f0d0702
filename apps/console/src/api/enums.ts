/**
 * The values of a union an API document declares, as a list in the order the console shows them,
 * checked by the compiler both ways: a value the list has and the API does not, or one the API
 * declares and the list lacks, fails the build (the list's type becomes `never`). So a filter or a
 * picker never silently lags its API when a status, kind or event type is added.
 *
 *   const STATUSES = everyValue<ServiceSchema<'ReturnListItemDto'>['status']>()(['requested', …]);
 */
export function everyValue<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })): L => list;
}

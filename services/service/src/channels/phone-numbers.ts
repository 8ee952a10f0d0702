/**
 * Telephone numbers as a caller id gives them (`+6281234567`, E.164) and as people type them into a
 * customer record (`+62 812-3456-7`, `(0812) 345 67`, `0062 812 34567`): compared as digits.
 */

/** The digits of a number, an international `00` prefix read as `+`; undefined when it has too few digits to be a number (`anonymous`, `266696687`-style short codes still count). */
export function phoneDigits(value: string): string | undefined {
  const trimmed = value.trim();
  let digits = trimmed.replace(/\D+/g, '');
  if (!trimmed.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
  return digits.length >= 5 && digits.length <= 20 ? digits : undefined;
}

/**
 * Whether two numbers are the same line: the same digits, or one written nationally with its trunk
 * `0` (`0812 3456 7890`) and the other internationally (`+62 812 3456 7890`) — the national part
 * (at least 8 digits, so short numbers never match by accident) ends the international one, after a
 * country code of one to three digits.
 */
export function samePhone(a: string, b: string): boolean {
  const x = phoneDigits(a);
  const y = phoneDigits(b);
  if (!x || !y) return false;
  if (x === y) return true;
  const national = (d: string) => (d.startsWith('0') ? d.slice(1) : undefined);
  const matches = (nat: string | undefined, intl: string) =>
    !!nat && nat.length >= 8 && intl.endsWith(nat) && intl.length - nat.length <= 3 && intl.length > nat.length;
  return matches(national(x), y) || matches(national(y), x);
}

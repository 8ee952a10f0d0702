import { phoneDigits, samePhone } from './phone-numbers';
import { namedUuid } from './channel-ids';

describe('phone numbers', () => {
  it('reads the digits of a number however it is written; an international 00 is a +', () => {
    expect(phoneDigits('+62 812-3456-7890')).toBe('6281234567890');
    expect(phoneDigits('0062 (812) 3456 7890')).toBe('6281234567890');
    expect(phoneDigits('0812.3456.7890')).toBe('081234567890');
    expect(phoneDigits('anonymous')).toBeUndefined();
    expect(phoneDigits('+1')).toBeUndefined();
  });

  it('takes a national number with its trunk 0 and the same number with its country code as one line', () => {
    expect(samePhone('+6281234567890', '+62 812-3456-7890')).toBe(true);
    expect(samePhone('+6281234567890', '0812 3456 7890')).toBe(true);
    expect(samePhone('0812 3456 7890', '0062 812 3456 7890')).toBe(true);
  });

  it('does not match different numbers, nor short numbers by their tail', () => {
    expect(samePhone('+6281234567890', '+6281234567891')).toBe(false);
    expect(samePhone('+6281234567890', '0567890')).toBe(false);
    expect(samePhone('+4930123456789', '+6230123456789')).toBe(false);
    expect(samePhone('anonymous', 'anonymous')).toBe(false);
  });
});

describe('named ids', () => {
  it('names the same thing with the same UUID (version 5), different things differently', () => {
    const id = namedUuid('call-case', 'CA123');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(namedUuid('call-case', 'CA123')).toBe(id);
    expect(namedUuid('call-case', 'CA124')).not.toBe(id);
    expect(namedUuid('call-in', 'CA123')).not.toBe(id);
  });
});

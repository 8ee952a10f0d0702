import type { ValidationError } from '@nestjs/common';
import { parseDuration } from '../auth/duration';
import { HttpProblem } from './http-problem';
import { etagForRevision, expectedRevisionFromIfMatch } from './if-match';
import { fieldErrorsOf, validationProblem } from './validation';

describe('expectedRevisionFromIfMatch', () => {
  it('reads strong and weak ETags as a revision', () => {
    expect(expectedRevisionFromIfMatch('"7"')).toBe(7n);
    expect(expectedRevisionFromIfMatch(' W/"12" ')).toBe(12n);
    expect(expectedRevisionFromIfMatch('"9007199254740993"')).toBe(9007199254740993n);
    expect(expectedRevisionFromIfMatch(['"3"'])).toBe(3n);
  });

  it('no header and * expect nothing', () => {
    expect(expectedRevisionFromIfMatch(undefined)).toBeUndefined();
    expect(expectedRevisionFromIfMatch('*')).toBeUndefined();
  });

  it.each(['7', '"x"', '"1", "2"', 'W/7', '"-1"'])('refuses %s with a 400 problem', (header) => {
    expect(() => expectedRevisionFromIfMatch(header)).toThrow(HttpProblem);
    try {
      expectedRevisionFromIfMatch(header);
    } catch (e) {
      expect((e as HttpProblem).status).toBe(400);
    }
  });

  it('etagForRevision is the inverse', () => {
    expect(etagForRevision(5n)).toBe('"5"');
    expect(expectedRevisionFromIfMatch(etagForRevision(5n))).toBe(5n);
  });
});

describe('validation problems', () => {
  const errors: ValidationError[] = [
    { property: 'title', constraints: { isString: 'title must be a string', isNotEmpty: 'title should not be empty' } },
    { property: 'colour', constraints: { whitelistValidation: 'property colour should not exist' } },
    {
      property: 'contacts',
      children: [{ property: '1', children: [{ property: 'email', constraints: { isEmail: 'email must be an email' } }] }],
    },
  ];

  it('names each field with its path, one entry per failed constraint', () => {
    expect(fieldErrorsOf(errors)).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'title', message: 'title should not be empty' },
      { field: 'colour', message: 'unknown field' },
      { field: 'contacts.1.email', message: 'email must be an email' },
    ]);
  });

  it('is a 400 problem listing the fields', () => {
    const problem = validationProblem(errors);
    expect(problem.status).toBe(400);
    expect(problem.toProblemDetails('/x')).toMatchObject({
      type: 'urn:crm:problem:validation-failed',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is invalid: title, colour, contacts.1.email',
      instance: '/x',
    });
  });
});

describe('HttpProblem', () => {
  it('builds an RFC 9457 body; extensions cannot replace the standard members', () => {
    const p = new HttpProblem(409, 'taken', { type: 'urn:x', extensions: { status: 200, hint: 'retry' } });
    expect(p.toProblemDetails('/a')).toEqual({ type: 'urn:x', title: 'Conflict', status: 409, detail: 'taken', instance: '/a', hint: 'retry' });
    expect(p).toBeInstanceOf(Error);
  });

  it('only for error statuses', () => {
    expect(() => new HttpProblem(200)).toThrow(RangeError);
  });
});

describe('parseDuration', () => {
  it('parses durations', () => {
    expect(parseDuration('8h')).toBe(28800);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration(30)).toBe(30);
    expect(parseDuration('7d')).toBe(604800);
    expect(() => parseDuration('soon')).toThrow(RangeError);
    expect(() => parseDuration('0s')).toThrow(RangeError);
  });
});

import { everyValue } from './enums';

type Status = 'open' | 'won' | 'lost';

// The two-way check is the compiler's (the console's tsc run, part of the build): each expected
// error marked below fails the build if the line it marks compiles.
describe('everyValue', () => {
  it('gives back the list, in its order, typed as its literals', () => {
    const statuses = everyValue<Status>()(['won', 'open', 'lost']);
    const first: 'won' = statuses[0];
    expect([first, ...statuses.slice(1)]).toEqual(['won', 'open', 'lost']);
  });

  it('refuses a list that lacks a value of the union, or has one it does not', () => {
    // @ts-expect-error 'lost' is missing
    const missing = everyValue<Status>()(['open', 'won']);
    // @ts-expect-error 'pending' is not a status
    const extra = everyValue<Status>()(['open', 'won', 'lost', 'pending']);
    expect([missing.length, extra.length]).toEqual([2, 4]);
  });
});

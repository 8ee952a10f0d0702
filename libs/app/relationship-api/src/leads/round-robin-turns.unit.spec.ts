import { RoundRobinTurns } from './round-robin-turns';

describe('round-robin turns', () => {
  it('hands out turns one capture at a time, from the seed; a capture that assigned nothing leaves the turn', async () => {
    const turns = new RoundRobinTurns(async (ruleId) => (ruleId === 'rr' ? 7 : 0));
    const seen: number[] = [];
    const take = (ruleId: string, taken = true) =>
      turns.withTurn(ruleId, async (turn) => {
        seen.push(turn);
        await new Promise((r) => setTimeout(r, 1));
        return { result: turn, taken };
      });
    expect(await Promise.all([take('rr'), take('rr'), take('rr', false), take('rr')])).toEqual([7, 8, 9, 9]);
    expect(await take('other')).toBe(0);
    await expect(turns.withTurn('rr', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await take('rr')).toBe(10);
  });

  it('starts at 0 when the count cannot be read', async () => {
    const turns = new RoundRobinTurns(() => Promise.reject(new Error('no such table')));
    expect(await turns.withTurn('rr', async (turn) => ({ result: turn, taken: true }))).toBe(0);
  });
});

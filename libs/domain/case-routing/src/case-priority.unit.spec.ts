import { casePriority, DEFAULT_TIER, describePriority, slaPoints, waitingPoints } from './case-priority';

const now = new Date('2026-03-01T10:00:00.000Z');
const waited = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

describe('queue priority', () => {
  it('given the same severity and SLA state, a platinum customer outranks gold, silver and bronze — whoever waited longer', () => {
    const at = waited(1);
    const longer = waited(120);
    const p = (tier: 'platinum' | 'gold' | 'silver' | 'bronze', since: string) => casePriority({ tier, waitingSince: since }, now).priority;
    expect(p('platinum', at)).toBeGreaterThan(p('gold', longer));
    expect(p('gold', at)).toBeGreaterThan(p('silver', longer));
    expect(p('silver', at)).toBeGreaterThan(p('bronze', longer));
  });

  it('a customer analytics has not scored counts as the default tier, and says so', () => {
    const r = casePriority({ waitingSince: waited(0) }, now);
    expect(DEFAULT_TIER).toBe('bronze');
    expect(r.parts).toMatchObject({ tier: 'bronze', tierSource: 'default', tierPoints: 10 });
    expect(casePriority({ tier: 'bronze', waitingSince: waited(0) }, now).parts.tierSource).toBe('analytics');
    expect(describePriority(r)).toContain('bronze (not scored) 10');
  });

  it('SLA urgency: nothing 4 hours or more out, rising to 50 at the due time, 50 when breached, 0 when unknown', () => {
    expect(slaPoints(undefined)).toBe(0);
    expect(slaPoints(null)).toBe(0);
    expect(slaPoints(1000)).toBe(0);
    expect(slaPoints(240)).toBe(0);
    expect(slaPoints(120)).toBe(25);
    expect(slaPoints(1)).toBe(50);
    expect(slaPoints(0)).toBe(50);
    expect(slaPoints(-30)).toBe(50);
  });

  it('SLA urgency can overtake the tier: a bronze case 90 minutes from breach outranks an unpressed platinum one, at 100 minutes it does not', () => {
    const platinum = casePriority({ tier: 'platinum', waitingSince: waited(30) }, now).priority;
    expect(casePriority({ tier: 'bronze', slaMinutesLeft: 90, waitingSince: waited(1) }, now).priority).toBeGreaterThan(platinum);
    expect(casePriority({ tier: 'bronze', slaMinutesLeft: 100, waitingSince: waited(1) }, now).priority).toBeLessThan(platinum);
  });

  it('severity weighs: critical and major over minor; a breached bronze case beats a minor platinum one, not a critical one', () => {
    const p = (input: Parameters<typeof casePriority>[0]) => casePriority(input, now).priority;
    const since = waited(5);
    expect(p({ tier: 'gold', severity: 'critical', waitingSince: since })).toBeGreaterThan(p({ tier: 'gold', severity: 'major', waitingSince: since }));
    expect(p({ tier: 'gold', severity: 'major', waitingSince: since })).toBeGreaterThan(p({ tier: 'gold', severity: 'minor', waitingSince: since }));
    expect(p({ tier: 'bronze', slaMinutesLeft: -5, waitingSince: since })).toBeGreaterThan(p({ tier: 'platinum', severity: 'minor', waitingSince: since }));
    expect(p({ tier: 'bronze', slaMinutesLeft: -5, waitingSince: since })).toBeLessThan(p({ tier: 'platinum', severity: 'critical', waitingSince: since }));
  });

  it('waiting only breaks ties: it stays below one point however long, and longer waits rank first among equals', () => {
    expect(waitingPoints(0)).toBe(0);
    expect(waitingPoints(60)).toBe(0.5);
    expect(waitingPoints(10_000_000)).toBeLessThan(1);
    expect(waitingPoints(-5)).toBe(0);
    const long = casePriority({ tier: 'silver', waitingSince: waited(600) }, now).priority;
    const short = casePriority({ tier: 'silver', waitingSince: waited(5) }, now).priority;
    expect(long).toBeGreaterThan(short);
    expect(long - short).toBeLessThan(1);
  });

  it('is the sum of its parts', () => {
    const r = casePriority({ tier: 'gold', slaMinutesLeft: 60, severity: 'major', waitingSince: waited(60) }, now);
    expect(r.parts).toEqual({
      tier: 'gold',
      tierSource: 'analytics',
      tierPoints: 30,
      slaMinutesLeft: 60,
      slaPoints: 38,
      severity: 'major',
      severityPoints: 10,
      casePriority: 'normal',
      casePriorityPoints: 0,
      waitingMinutes: 60,
      waitingPoints: 0.5,
    });
    expect(r.priority).toBe(78.5);
  });

  describe("the case's own priority", () => {
    const p = (tier: 'platinum' | 'gold' | 'silver' | 'bronze', casePriorityLevel: 'low' | 'normal' | 'high' | 'urgent' | undefined, minutes: number) =>
      casePriority({ tier, casePriority: casePriorityLevel, waitingSince: waited(minutes) }, now);

    it('given two bronze cases, when one is urgent and the other normal, then the urgent one is offered first even if it waited less', () => {
      expect(p('bronze', 'urgent', 1).priority).toBeGreaterThan(p('bronze', 'normal', 300).priority);
      expect(p('bronze', 'high', 1).priority).toBeGreaterThan(p('bronze', 'normal', 300).priority);
      expect(p('bronze', 'normal', 1).priority).toBeGreaterThan(p('bronze', 'low', 300).priority);
    });

    it("given equal case priorities, a platinum customer still overtakes a bronze one (the issue's rule)", () => {
      for (const level of ['low', 'normal', 'high', 'urgent'] as const) {
        expect(p('platinum', level, 1).priority).toBeGreaterThan(p('bronze', level, 300).priority);
      }
    });

    it('does not swamp the tier: an urgent bronze case stays behind a normal platinum one', () => {
      expect(p('bronze', 'urgent', 300).priority).toBeLessThan(p('platinum', 'normal', 1).priority);
    });

    it('a case with no priority counts as normal (0 points), and the parts and the reason say so', () => {
      const r = p('gold', undefined, 0);
      expect(r.parts).toMatchObject({ casePriority: 'normal', casePriorityPoints: 0 });
      expect(p('gold', 'urgent', 0).parts).toMatchObject({ casePriority: 'urgent', casePriorityPoints: 20 });
      expect(p('gold', 'low', 0).priority).toBe(25);
      expect(describePriority(p('gold', 'high', 0))).toContain('high priority 10');
    });
  });
});

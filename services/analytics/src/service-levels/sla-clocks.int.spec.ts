import { randomUUID } from 'node:crypto';
import { slaClocksEndingIn } from './sla-clocks.projection';
import { slaClocksHarness } from './testing/sla-clocks-harness';
import { assigned, breached, closed, interaction, opened, plus, policiesSet, reopened, statusChanged, tierChanged, type SlaEvent } from './testing/sla-events';

interface ClockRow {
  episode_id: string;
  revision: number;
  metric: string;
  cycle: number;
  tier: string;
  team: string | null;
  policy_id: string;
  state: string;
  due_at: Date | null;
  stopped_at: Date | null;
  met: boolean | null;
  recorded_at: Date;
}

// analytics.sla-clocks on PGlite through a real projection runner: given the events the service's SLA
// clocks are built from, when more arrive, then the clock rows (latest revision per case) are these.
describe('analytics.sla-clocks read model (PGlite)', () => {
  let h: Awaited<ReturnType<typeof slaClocksHarness>>;
  // One database for the cases (each on its own customer and cases): opening PGlite is the slow part.
  beforeAll(async () => (h = await slaClocksHarness()));
  afterAll(async () => h.close());

  const latest = async (episodeId: string): Promise<ClockRow[]> =>
    h.ds.query(
      `SELECT * FROM ${h.projection.tables.clocks} WHERE episode_id = $1 AND revision = (SELECT max(revision) FROM ${h.projection.tables.clocks} WHERE episode_id = $1)
        ORDER BY metric, cycle`,
      [episodeId],
    );
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  const brief = (rows: ClockRow[]) => rows.map((r) => [r.metric, r.cycle, r.state, iso(r.due_at), iso(r.stopped_at), r.met]);

  it("given a platinum customer's policy, when a case is answered in time and resolved late, then first response is met and resolution breached", async () => {
    const [c, e] = [randomUUID(), randomUUID()];
    await h.apply([
      policiesSet(0, [{ policyId: 'platinum', tier: 'platinum', firstResponseMinutes: 10, resolutionMinutes: 60 }]),
      tierChanged(0, c, 'platinum'),
      opened(1, c, e),
      assigned(2, c, e, 'billing'),
      interaction(5, c, e, 'outbound'),
      closed(90, c, e),
    ]);
    const rows = await latest(e);
    expect(brief(rows)).toEqual([
      ['first-response', 0, 'met', plus(11), plus(5), true],
      ['resolution', 0, 'breached', plus(61), plus(90), false],
    ]);
    expect(rows.every((r) => r.tier === 'platinum' && r.team === 'billing' && r.policy_id === 'platinum')).toBe(true);
  });

  it('given no configuration and no tier, then the fallback policy and the default tier; waiting on the customer moves the due time', async () => {
    const [c, e] = [randomUUID(), randomUUID()];
    // Its own database: the other cases set policies (configuration is global).
    const fresh = await slaClocksHarness();
    let rows: ClockRow[];
    try {
      await fresh.apply([
        opened(0, c, e),
        statusChanged(10, c, e, 'new', 'waiting-on-customer'),
        statusChanged(70, c, e, 'waiting-on-customer', 'in-progress'),
      ]);
      rows = await fresh.ds.query(`SELECT * FROM ${fresh.projection.tables.clocks} WHERE revision = 3 ORDER BY metric, cycle`);
    } finally {
      await fresh.close();
    }
    // fallback: 8 h first response, 5 days resolution, round the clock; 60 minutes paused.
    expect(brief(rows)).toEqual([
      ['first-response', 0, 'running', plus(480 + 60), null, null],
      ['resolution', 0, 'running', plus(7200 + 60), null, null],
    ]);
    expect(rows.every((r) => r.tier === 'bronze' && r.policy_id === 'fallback')).toBe(true);
  });

  it("given an open and a closed case, when the policies change, then the open case's clocks follow them and the closed one keeps its result", async () => {
    const [c, open, done] = [randomUUID(), randomUUID(), randomUUID()];
    await h.apply([opened(0, c, open), opened(0, c, done), interaction(30, c, done, 'outbound'), closed(40, c, done)]);
    const before = await latest(done);
    await h.apply([policiesSet(50, [{ policyId: 'strict', firstResponseMinutes: 20, resolutionMinutes: 30 }])]);
    expect(brief(await latest(open))).toEqual([
      ['first-response', 0, 'running', plus(20), null, null],
      ['resolution', 0, 'running', plus(30), null, null],
    ]);
    expect(await latest(done)).toEqual(before);
    expect(before.every((r) => r.met === true && r.policy_id === 'fallback')).toBe(true);
  });

  it('given a recorded breach, then the running clock is breached; a reopen starts a new resolution cycle', async () => {
    const [c, e] = [randomUUID(), randomUUID()];
    await h.apply([
      policiesSet(0, [{ policyId: 'any', firstResponseMinutes: 10, resolutionMinutes: 60 }]),
      opened(1, c, e),
      breached(11, c, e, 'first-response', 0, plus(11)),
    ]);
    expect(brief(await latest(e))[0]).toEqual(['first-response', 0, 'breached', plus(11), null, null]);
    await h.apply([interaction(20, c, e, 'outbound'), closed(30, c, e), reopened(40, c, e)]);
    expect(brief(await latest(e))).toEqual([
      ['first-response', 0, 'breached', plus(11), plus(20), false],
      ['resolution', 0, 'met', plus(61), plus(30), true],
      ['resolution', 1, 'running', plus(100), null, null],
    ]);
  });

  it("keeps no clocks for other episode types or a partner's episodes, nor for events of a case it never saw opened", async () => {
    const c = randomUUID();
    const [sale, partners, unknown] = [randomUUID(), randomUUID(), randomUUID()];
    await h.apply([
      opened(0, c, sale, { episodeType: 'opportunity' }),
      opened(0, c, partners, { partner: true }),
      interaction(5, c, sale, 'outbound'),
      closed(6, c, unknown),
    ]);
    expect(await h.ds.query(`SELECT * FROM ${h.projection.tables.clocks} WHERE episode_id = ANY($1)`, [[sale, partners, unknown]])).toEqual([]);
  });

  it('keeps each revision with the time of the event that wrote it: the clocks as recorded by asOf', async () => {
    const [c, e] = [randomUUID(), randomUUID()];
    await h.apply([
      policiesSet(0, [{ policyId: 'any', firstResponseMinutes: 10, resolutionMinutes: 60 }]),
      opened(1, c, e),
      interaction(5, c, e, 'outbound'),
      closed(90, c, e),
    ]);
    const ending = async (asOfMinutes: number) =>
      (await slaClocksEndingIn(h.ds.manager, h.projection.tables.clocks, new Date(plus(asOfMinutes)), new Date(plus(0)), new Date(plus(1000))))
        .filter((r) => r.episode_id === e)
        .map((r) => [r.metric, r.met, iso(r.stopped_at as Date | null)]);
    // Before the close was recorded, resolution was running (due at 61): a candidate only by its due time, unmet.
    expect(await ending(80)).toEqual([
      ['first-response', true, plus(5)],
      ['resolution', null, null],
    ]);
    expect(await ending(90)).toEqual([
      ['first-response', true, plus(5)],
      ['resolution', false, plus(90)],
    ]);
    // Before the answer was recorded: first response was due at 11 — a candidate, not met.
    expect(await ending(3)).toEqual([
      ['first-response', null, null],
      ['resolution', null, null],
    ]);
  });

  it('is a function of the events: a fresh replay of the same events gives the same rows', async () => {
    const [c, e] = [randomUUID(), randomUUID()];
    const events: SlaEvent[] = [
      policiesSet(0, [{ policyId: 'gold', tier: 'gold', firstResponseMinutes: 10, resolutionMinutes: 60 }]),
      opened(1, c, e),
      tierChanged(2, c, 'gold'),
      interaction(5, c, e, 'outbound'),
      interaction(20, c, e, 'inbound'),
      interaction(70, c, e, 'outbound'),
      closed(90, c, e),
    ];
    const applied = await h.apply(events);
    const all = `SELECT * FROM ${h.projection.tables.clocks} WHERE customer_id = $1 ORDER BY episode_id, revision, metric, cycle`;
    const live = await h.ds.query(all, [c]);
    const replay = await slaClocksHarness();
    try {
      await replay.apply(applied.map((e) => ({ ...e }) as unknown as SlaEvent));
      expect(await replay.ds.query(all, [c])).toEqual(live);
    } finally {
      await replay.close();
    }
    expect(brief(await latest(e)).map((r) => r.slice(0, 3))).toEqual([
      ['first-response', 0, 'met'],
      ['next-response', 0, 'breached'],
      ['resolution', 0, 'breached'],
    ]);
  });
});

/**
 * wakeup: how long after an append commits a live subscriber has the event.
 *
 * PostgreSQL server, across processes — the case LISTEN/NOTIFY is for: a child process
 * (`wakeup-writer.ts`) appends single events at a modest, jittered rate (~100/s) while this process
 * follows the store with `subscribeToAll`. Two runs: LISTEN on (fallback poll 500 ms) and, as the
 * baseline, LISTEN off (poll every 50 ms, what every other process relied on before).
 * Goal: p99 < 10 ms with LISTEN.
 *
 * Timing across processes: `process.hrtime`/`performance.now()` are per-process monotonic clocks
 * with different origins, so they cannot be compared. Both processes instead use
 * `performance.timeOrigin + performance.now()`: the wall-clock time of the process's start (taken
 * from the system's realtime clock with microsecond resolution) plus a monotonic offset — on one
 * machine both processes read the same system clock, so these values are comparable to within
 * microseconds, unlike `Date.now()` (whole milliseconds). That assumption is checked, not trusted:
 * before each run the parent pings the child over IPC and estimates the clock offset from the
 * fastest round trip (child time − midpoint of the parent's send and receive, error ≤ half that
 * round trip); latencies are corrected by it and the offset is reported in the figure's details.
 *
 * "Commit" is when the writer got the append's answer (`ackAt`): the server commits, then answers,
 * so this is at most one local round trip (~0.1 ms) after the real commit — the latency is slightly
 * understated by that much; the details also give it from before the append was sent (`sentAt`).
 * The event's `recorded_at` is not used: it is the transaction's start, and has only millisecond
 * precision once it reaches JavaScript as a Date.
 *
 * PGlite is one process: there the figure is the same-process wake-up (no goal).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { PgliteSession, PgSqlClient } from '@crm/sql-clients';
import { benchEvent, percentile, round, uniqueSchema, type BenchContext, type BenchModule, type Figure } from './kit';

const GOAL_P99_MS = 10;
const wallClock = () => performance.timeOrigin + performance.now();

export const wakeupBench: BenchModule = {
  name: 'wakeup',
  description: 'commit → delivery latency of a live subscriber in another process (LISTEN/NOTIFY vs polling)',
  run,
};

interface LatencyRun {
  /** commit (writer's ack) → delivery, ms, sorted. */
  latencies: number[];
  /** append sent → delivery, ms, sorted. */
  fromSend: number[];
  details: Record<string, unknown>;
}

export async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const samples = ctx.quick ? 200 : 1000;

  ctx.log('embedded PGlite (in memory): same process');
  const local = await sameProcessPglite(samples);
  figures.push(ctx.report({ name: 'wakeup.same-process.p50.pglite', unit: 'ms', value: round(percentile(local, 0.5), 3) }));
  figures.push(ctx.report({ name: 'wakeup.same-process.p99.pglite', unit: 'ms', value: round(percentile(local, 0.99), 3), details: { samples } }));

  const url = ctx.databaseUrl;
  if (!url) {
    ctx.log('PostgreSQL server skipped (set DATABASE_URL): cross-process wake-up needs a server');
    return figures;
  }
  ctx.log(`PostgreSQL server (${new URL(url).host}): writer in a child process, ${samples} events at ~100/s per run`);
  const schema = uniqueSchema('bench_wakeup');
  const admin = new PgSqlClient({ connectionString: url, max: 1 });
  try {
    await new PostgresEventStore(admin, { schema, listen: false }).migrate();
    const poll = await crossProcess(url, schema, false, samples);
    const listen = await crossProcess(url, schema, true, samples);
    for (const [q, label] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const value = percentile(listen.latencies, q);
      const base = percentile(poll.latencies, q);
      figures.push(
        ctx.report({
          name: `wakeup.cross-process.${label}.postgres`,
          unit: 'ms',
          value: round(value, 3),
          baseline: { name: 'poll only (LISTEN off, 50 ms interval)', value: round(base, 3) },
          ratio: round(value / base, 3),
          ...(label === 'p99' ? { goal: `< ${GOAL_P99_MS} ms`, met: value < GOAL_P99_MS } : {}),
          details:
            label === 'p99'
              ? {
                  listen: {
                    ...listen.details,
                    fromSendP50: round(percentile(listen.fromSend, 0.5), 3),
                    fromSendP99: round(percentile(listen.fromSend, 0.99), 3),
                  },
                  poll: { ...poll.details, fromSendP50: round(percentile(poll.fromSend, 0.5), 3), fromSendP99: round(percentile(poll.fromSend, 0.99), 3) },
                }
              : { samples },
        }),
      );
    }
  } finally {
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.close();
  }
  return figures;
}

async function sameProcessPglite(samples: number): Promise<number[]> {
  const session = await PgliteSession.open();
  try {
    const store = new PostgresEventStore(session.sqlClient(), { schema: 'bench_wakeup' });
    await store.migrate();
    const acked = new Map<string, number>();
    const latencies: number[] = [];
    const sub = store.subscribeToAll({
      onEvent: async (e) => {
        const t = acked.get(e.id);
        if (t !== undefined) latencies.push(performance.now() - t);
        else acked.set(e.id, -performance.now()); // delivered before the append returned: keep the delivery time
      },
    });
    for (let i = 0; i < samples; i++) {
      const event = benchEvent({ i });
      await store.appendToStream(`wakeup-${randomUUID()}`, [event]);
      const now = performance.now();
      const delivered = acked.get(event.id);
      if (delivered !== undefined) latencies.push(Math.max(0, -delivered - now));
      else acked.set(event.id, now);
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 3));
    }
    const deadline = Date.now() + 10000;
    while (latencies.length < samples && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await sub.stop();
    return latencies.sort((a, b) => a - b);
  } finally {
    await session.close();
  }
}

async function crossProcess(url: string, schema: string, listen: boolean, samples: number): Promise<LatencyRun> {
  const tag = randomUUID();
  const store = new PostgresEventStore(new PgSqlClient({ connectionString: url, max: 2 }), { schema, listen });
  const delivered = new Map<string, number>();
  let caughtUp!: () => void;
  const caughtUpP = new Promise<void>((r) => (caughtUp = r));
  const sub = store.subscribeToAll({
    onEvent: async (e) => {
      if ((e.data as { tag?: string }).tag === tag) delivered.set(e.id, wallClock());
    },
    onCaughtUp: () => caughtUp(),
  });
  const child = fork(path.resolve(__dirname, '../run-ts.js'), [path.resolve(__dirname, 'wakeup-writer.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const sent = new Map<string, { sentAt: number; ackAt: number }>();
    const messages: { type: string; [k: string]: unknown }[] = [];
    let notify: () => void = () => undefined;
    child.on('message', (m: { type: string; [k: string]: unknown }) => {
      if (m.type === 'sent') sent.set(m.id as string, { sentAt: m.sentAt as number, ackAt: m.ackAt as number });
      else messages.push(m);
      notify();
    });
    const next = (type: string, timeoutMs = 60000) =>
      new Promise<{ type: string; [k: string]: unknown }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`writer: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const error = messages.find((m) => m.type === 'error');
          if (error) {
            clearTimeout(timer);
            reject(new Error(`writer failed: ${String(error.message)}`));
            return;
          }
          const i = messages.findIndex((m) => m.type === type);
          if (i >= 0) {
            clearTimeout(timer);
            resolve(messages.splice(i, 1)[0]);
          } else notify = check;
        };
        check();
      });
    await next('ready');
    await caughtUpP;

    // Clock offset child − parent from the fastest of 50 IPC round trips.
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 50; i++) {
      const t0 = wallClock();
      child.send({ type: 'ping', t0 });
      const pong = await next('pong');
      const t2 = wallClock();
      if (t2 - t0 < best.rtt) best = { rtt: t2 - t0, offset: (pong.child as number) - (t0 + t2) / 2 };
    }

    child.send({ type: 'start', url, schema, tag, count: samples, minGapMs: 5, maxGapMs: 15 });
    await next('done', 120000);
    const deadline = Date.now() + 5000 + (listen ? 1000 : 100);
    while (delivered.size < samples && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (delivered.size < samples) throw new Error(`only ${delivered.size} of ${samples} events delivered`);

    const latencies: number[] = [];
    const fromSend: number[] = [];
    let appendMs = 0;
    for (const [id, t] of sent) {
      const at = delivered.get(id)!;
      latencies.push(at - (t.ackAt - best.offset));
      fromSend.push(at - (t.sentAt - best.offset));
      appendMs += t.ackAt - t.sentAt;
    }
    const stats = store.wakeStats();
    return {
      latencies: latencies.sort((a, b) => a - b),
      fromSend: fromSend.sort((a, b) => a - b),
      details: {
        samples,
        listen,
        clockOffsetMs: round(best.offset, 4),
        clockOffsetErrorMs: round(best.rtt / 2, 4),
        meanAppendMs: round(appendMs / sent.size, 3),
        max: round(latencies[latencies.length - 1], 3),
        notificationsReceived: stats.notifications,
      },
    };
  } finally {
    if (child.exitCode === null) child.kill();
    await sub.stop();
    await store.close();
  }
}

/**
 * Child process of the `wakeup` bench: the "other process" that appends. Driven over the IPC channel
 * of `child_process.fork` (node tools/run-ts.js tools/bench/wakeup-writer.ts):
 *   parent → { type: 'ping', t0 }                    child → { type: 'pong', t0, child }   (clock offset)
 *   parent → { type: 'start', url, schema, tag, count, minGapMs, maxGapMs }
 *   child  → { type: 'sent', id, sentAt, ackAt } per event, then { type: 'done' }
 * Times are wall-clock milliseconds with sub-millisecond resolution (see `wallClock` in wakeup.ts).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { PgSqlClient } from '@crm/sql-clients';
import { benchEvent } from './kit';

interface StartMessage {
  type: 'start';
  url: string;
  schema: string;
  tag: string;
  count: number;
  minGapMs: number;
  maxGapMs: number;
}

const wallClock = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send?.(message);

async function write(m: StartMessage): Promise<void> {
  const store = new PostgresEventStore(new PgSqlClient({ connectionString: m.url, max: 1 }), { schema: m.schema, listen: false });
  try {
    // Warm the connection and the function's plan cache so the first samples are not outliers.
    for (let i = 0; i < 20; i++) await store.appendToStream(`warmup-${randomUUID()}`, [benchEvent({ warmup: true })]);
    let next = performance.now();
    for (let i = 0; i < m.count; i++) {
      next += m.minGapMs + Math.random() * (m.maxGapMs - m.minGapMs); // jitter: no phase-lock with the poll interval
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const event = benchEvent({ tag: m.tag, i });
      const sentAt = wallClock();
      await store.appendToStream(`wakeup-${randomUUID()}`, [event], { expectedRevision: 'no_stream' });
      const ackAt = wallClock();
      send({ type: 'sent', id: event.id, sentAt, ackAt });
    }
  } finally {
    await store.close();
  }
}

process.on('message', (message: { type: string; t0?: number }) => {
  if (message.type === 'ping') send({ type: 'pong', t0: message.t0, child: wallClock() });
  else if (message.type === 'start') {
    write(message as StartMessage).then(
      () => {
        send({ type: 'done' });
        process.disconnect();
      },
      (error: unknown) => {
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        process.disconnect();
      },
    );
  }
});
send({ type: 'ready' });

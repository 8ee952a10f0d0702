import { Client } from 'pg';

/**
 * Which of several instances of a service runs a process that must run once (the case router: two
 * routers would each count only their own offers in flight and could fill an agent beyond capacity).
 * `hold()` is asked before every tick: true while this instance holds the lease (taking it if free),
 * false while another one does.
 */
export interface ProcessLease {
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

/** One process per deployment anyway (embedded mode): always held. */
export const SOLE_INSTANCE_LEASE: ProcessLease = { hold: async () => true, release: async () => undefined };

/**
 * A PostgreSQL session advisory lock on a connection of its own (not the pool's: a pooled connection
 * given back would keep the lock for no one), kept for as long as the instance runs. The server releases it when that session ends — the process stopped, was killed, or lost its
 * connection — and the next `hold()` of another instance takes it over. While held, each `hold()`
 * checks the session is still alive; a session that died means the lease may already be another's,
 * so this instance stops at once and tries to take it again on a new connection. (Not on PGlite:
 * its one session would be taken by the lock's query runner; embedded mode is one process anyway.)
 */
export class AdvisoryLockLease implements ProcessLease {
  private client: Client | undefined;
  private held = false;

  constructor(
    private readonly databaseUrl: string,
    /** What the lease is for (`case-router`): hashed to the lock's key. */
    private readonly name: string,
  ) {}

  async hold(): Promise<boolean> {
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 10_000, query_timeout: 10_000, keepAlive: true });
        client.on('error', () => undefined); // a lost session: the next query fails and drops it
        this.client = client;
        await client.connect();
      }
      if (this.held) {
        await this.client.query('SELECT 1');
        return true;
      }
      const r = await this.client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [`crm:${this.name}`]);
      this.held = r.rows[0]?.held === true;
      return this.held;
    } catch {
      // The session is gone, and the lock with it: start over on a new connection next time.
      await this.drop();
      return false;
    }
  }

  async release(): Promise<void> {
    // Ending the session releases the lock (an explicit unlock first, for a server that is slow to notice).
    if (this.client && this.held) await this.client.query('SELECT pg_advisory_unlock(hashtext($1))', [`crm:${this.name}`]).catch(() => undefined);
    await this.drop();
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }
}

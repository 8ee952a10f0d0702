import { Client } from 'pg';
import { AdvisoryLockLease } from './process-lease';

// Real PostgreSQL (npm run test:infra): one holder at a time across sessions, and a takeover when
// the holder's session ends — released, or killed under it.
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must be set: run with `npm run test:infra`');

describe('AdvisoryLockLease on PostgreSQL', () => {
  const name = `test-${process.pid}-${Date.now()}`;
  const a = new AdvisoryLockLease(url, name);
  const b = new AdvisoryLockLease(url, name);
  afterAll(async () => {
    await a.release();
    await b.release();
  });

  it('is held by one instance at a time; the other takes it over once released', async () => {
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true); // still the holder, tick after tick
    await a.release();
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
  });

  it('goes to the other instance when the holder’s session dies, and the old holder knows it lost it', async () => {
    expect(await b.hold()).toBe(true);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      // The holder's backend, killed as a crashed process or a lost connection would end it.
      const killed = await admin.query(
        `SELECT pg_terminate_backend(l.pid) AS done FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objid = (hashtext($1)::bigint & 4294967295)::oid AND l.granted`,
        [`crm:${name}`],
      );
      expect(killed.rows).toEqual([{ done: true }]);
    } finally {
      await admin.end();
    }
    // the killed session is noticed on b's next look; a takes over
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
  });
});

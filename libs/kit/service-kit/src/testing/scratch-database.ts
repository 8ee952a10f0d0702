import { Client } from 'pg';

/**
 * A database of its own for one suite run, on the server of `adminUrl`. The read models live in
 * fixed schemas (`sales`, `service`, ...), so suites sharing one database would see each other's
 * rows — e.g. a router expiring offers that a previous run's history holds and this run's does not.
 */
export function scratchDatabase(adminUrl: string, name: string): { url: string; create(): Promise<void>; drop(): Promise<void> } {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`scratch database name ${name}: a lower-case SQL identifier`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    url: url.toString(),
    create: () => admin(`CREATE DATABASE ${name}`),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { loadConfig, PlatformConfig } from '@crm/config';
import { Client } from 'pg';
import { createPlatform } from './platform';

const url = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!url || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

// With synchronous_commit = off, PostgreSQL acknowledges a COMMIT before its WAL leaves shared
// memory: the chaos suite's immediate restart then lost read-model batches whose Kafka offsets were
// already committed (500 events of one partition, gone for good). A service must refuse such a database.
describe('a database that acknowledges commits before they are durable', () => {
  const database = `crm_async_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const config = () => {
    const u = new URL(url);
    u.pathname = `/${database}`;
    return loadConfig(PlatformConfig, { CRM_MODE: 'distributed', CRM_DATABASE_URL: u.toString(), CRM_KAFKA_BROKERS: brokers });
  };

  beforeAll(() => admin(`CREATE DATABASE ${database}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('is refused at start, naming the setting; with it on, the platform starts', async () => {
    await admin(`ALTER DATABASE ${database} SET synchronous_commit = off`);
    await expect(createPlatform(config(), { registry: crmRegistry(), clientId: 'durable-commits-test' })).rejects.toThrow(
      /CRM_DATABASE_URL: PostgreSQL setting synchronous_commit is off/,
    );

    await admin(`ALTER DATABASE ${database} SET synchronous_commit = on`);
    const platform = await createPlatform(config(), { registry: crmRegistry(), clientId: 'durable-commits-test' });
    await platform.close();
  }, 60_000);
});

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NewEvent } from '@crm/event-store';
import { testMetadata } from '@crm/event-store/testing';

/**
 * What the infra specs that start the CRM's real processes (a service, the relay) in distributed
 * mode share: one run's own schemas, topic and data folder on the shared PostgreSQL and Kafka, so
 * runs never see each other's events, and the settings every process of the run gets.
 */
export interface DistributedRun {
  /** 10 hex characters, unique per run. */
  readonly run: string;
  readonly schemas: { readonly store: string; readonly platform: string };
  readonly topic: string;
  readonly dataDir: string;
  /** Settings of every process of the run (add the port, and what the spec tests). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the processes' logs go (`.local/test-logs`). */
  readonly logDir: string;
  readonly databaseUrl: string;
  /** `host:port,…` */
  readonly brokers: string;
}

/** A run named `label` (schemas `<label>_es_<run>` / `<label>_pl_<run>`, topic `crm.<label>.<run>`). */
export function distributedRun(label: string, settings: Record<string, string> = {}): DistributedRun {
  const url = process.env.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!url || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  const schemas = { store: `${label}_es_${run}`, platform: `${label}_pl_${run}` };
  const topic = `crm.${label}.${run}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-${label}-${run}-`));
  const env = {
    CRM_MODE: 'distributed',
    CRM_DATABASE_URL: url,
    CRM_KAFKA_BROKERS: brokers,
    CRM_KAFKA_TOPIC: topic,
    CRM_KAFKA_PARTITIONS: '3',
    CRM_EVENT_STORE_SCHEMA: schemas.store,
    CRM_PLATFORM_SCHEMA: schemas.platform,
    CRM_DATA_DIR: dataDir,
    CRM_LOG_LEVEL: 'warn',
    CRM_HTTP_HOST: '127.0.0.1',
    ...settings,
  };
  return { run, schemas, topic, dataDir, env, logDir: path.resolve(__dirname, '../../.local/test-logs'), databaseUrl: url, brokers };
}

/** The HTTP status of a GET, 0 when nothing answers (not started yet, or stopped). */
export const httpStatus = (url: string): Promise<number> =>
  fetch(url).then(
    (r) => r.status,
    () => 0,
  );

/** A person registered by sales, as the store keeps it: what the specs append to make traffic. */
export function customerRegistered(name: string, customerId: string = randomUUID(), id: string = randomUUID()): NewEvent {
  return {
    id,
    type: 'CustomerRegistered',
    schemaVersion: 1,
    metadata: testMetadata(),
    data: {
      customerId,
      kind: 'person',
      name,
      contacts: [],
      identities: [],
      journeyStage: 'prospect',
      relationshipPhase: 'awareness',
      registeredBy: 'sales',
    },
  };
}

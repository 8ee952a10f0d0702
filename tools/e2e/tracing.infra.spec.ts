import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { allReady, freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken } from '@crm/service-kit';
import { Client } from 'pg';

const url = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!url || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

/** A span as an OTLP/HTTP JSON export carries it, with the `service.name` of its process. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}
interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: OtlpAttribute[] })[] }[];
  }[];
}
const SPAN_KIND_SERVER = 2;

const attributes = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));

// Issue 15 §1: one trace follows a command from HTTP through the store, the relay and Kafka to
// another service's projection. Three real processes (sales, the relay, service) with tracing on,
// each exporting over OTLP/HTTP — the production exporter — to a collector this test runs.
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-trace-${run}-`));
const schemas = { store: `tr_es_${run}`, platform: `tr_pl_${run}` };
const logDir = path.resolve(__dirname, '../../.local/test-logs');
const spans: ReceivedSpan[] = [];
const paths = new Set<string>();
let collector: http.Server;
let processes: WorkerProcess[] = [];
let ports: number[] = [];

describe('one trace from an HTTP command to another service’s projection (real PostgreSQL + Kafka, OTLP export)', () => {
  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        paths.add(`${req.method} ${req.url} ${req.headers['content-type']}`);
        if (req.url === '/v1/traces') {
          const exported = JSON.parse(body) as OtlpExport;
          for (const rs of exported.resourceSpans ?? []) {
            const service = String(attributes(rs.resource?.attributes)['service.name']);
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service, attributes: attributes(s.attributes) });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

    await ensureLocalKeys(dataDir);
    ports = await freePorts(3);
    const env = {
      CRM_MODE: 'distributed',
      CRM_DATABASE_URL: url,
      CRM_KAFKA_BROKERS: brokers,
      CRM_KAFKA_TOPIC: `crm.trace.${run}`,
      CRM_KAFKA_PARTITIONS: '1',
      CRM_EVENT_STORE_SCHEMA: schemas.store,
      CRM_PLATFORM_SCHEMA: schemas.platform,
      CRM_DATA_DIR: dataDir,
      CRM_LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_TRACES_SAMPLER: 'always_on',
      // Export within a fraction of a second, not the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const httpOn = (p: number) => ({ CRM_HTTP_HOST: '127.0.0.1', CRM_HTTP_PORT: String(p) });
    processes = [
      new WorkerProcess('tools/relay.ts', { ...env, ...httpOn(ports[0]) }, path.join(logDir, `trace-${run}-relay.log`)),
      new WorkerProcess('services/sales/src/main.ts', { ...env, ...httpOn(ports[1]) }, path.join(logDir, `trace-${run}-sales.log`)),
      new WorkerProcess('services/service/src/main.ts', { ...env, ...httpOn(ports[2]) }, path.join(logDir, `trace-${run}-service.log`)),
    ];
    for (const p of processes) p.start();
    await waitForProcesses(processes, () => allReady(ports.slice(1).map((p) => `http://127.0.0.1:${p}`)), 180000, 'sales and service to be ready');
  }, 240000);

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await new Promise((resolve) => collector?.close(resolve));
    const db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.store} CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.platform} CASCADE`);
    await db.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('joins the HTTP server span, its PostgreSQL spans, the relay’s publish span and the projection’s span in one trace', async () => {
    const signingKeyFile = path.join(dataDir, 'keys', 'signing-key.pem');
    const token = await mintToken(
      { kind: 'staff', subject: 'sari', department: 'sales', roles: [] },
      { signingKey: fs.existsSync(signingKeyFile) ? signingKeyFile : (await ensureLocalKeys(dataDir)).signingKeyFile, issuer: 'crm-embedded', audience: 'crm' },
    );
    const reply = await fetch(`http://127.0.0.1:${ports[1]}/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-correlation-id': `trace-${run}` },
      body: JSON.stringify({ kind: 'organisation', name: `PT Jejak ${run}` }),
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('x-correlation-id')).toBe(`trace-${run}`);
    // The echoed traceparent is the server span's: its trace id is the trace to follow.
    const traceId = reply.headers.get('traceparent')!.split('-')[1];

    const inTrace = () => spans.filter((s) => s.traceId === traceId);
    const projectionSpan = () => inTrace().find((s) => s.service === 'crm-service' && /process CustomerRegistered$/.test(s.name));
    const publishSpan = () => inTrace().find((s) => s.service === 'crm-relay' && s.name === 'relay publish CustomerRegistered');
    const serverSpan = () => inTrace().find((s) => s.service === 'crm-sales' && s.kind === SPAN_KIND_SERVER);
    // Each process exports on its own schedule (every 5 s): wait for the three of them, the sales
    // server's too — the hop through the relay and Kafka can be quicker than its next export.
    await waitFor(
      () => serverSpan() !== undefined && projectionSpan() !== undefined && publishSpan() !== undefined,
      90000,
      `the relay's and the service's spans in trace ${traceId} (collector saw ${[...paths].join(', ')})`,
    );

    const trace = inTrace();
    const server = trace.find((s) => s.service === 'crm-sales' && s.kind === SPAN_KIND_SERVER);
    expect(server).toBeDefined();
    expect(server!.parentSpanId ?? '').toBe('');
    expect(
      trace.some((s) => s.service === 'crm-sales' && s.attributes['db.system'] === 'postgresql') ||
        trace.some((s) => s.service === 'crm-sales' && s.name.startsWith('pg.')),
    ).toBe(true);
    const publish = publishSpan()!;
    // The relay continues the span the event was appended in (a span of the sales request)…
    expect(trace.filter((s) => s.service === 'crm-sales').map((s) => s.spanId)).toContain(publish.parentSpanId);
    // …the projection the relay's publish…
    const projection = projectionSpan()!;
    expect(projection.parentSpanId).toBe(publish.spanId);
    // …and the projection's own writes are in it too.
    await waitFor(
      () => inTrace().some((s) => s.service === 'crm-service' && s.parentSpanId === projection.spanId && s.name.startsWith('pg.')),
      30000,
      'the projection’s PostgreSQL spans',
    );
  }, 120000);
});

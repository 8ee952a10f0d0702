/**
 * The relay process (distributed mode): follows the event store's global order and publishes the
 * integration events to Kafka, moving its durable checkpoint only after Kafka acknowledged them.
 *   CRM_MODE=distributed ... npm run relay
 * Several may run per event store: only the holder of the lease `relay:<CRM_EVENT_STORE_SCHEMA>` (a
 * PostgreSQL advisory lock) publishes; the others wait in `standby` (readiness 503, health 200) and
 * one takes over within a second of the holder's death (docs/operations.md "Relay lease").
 *
 * `GET /metrics` (Prometheus): lag, published/parked events, publish failures, process metrics.
 * It never exits because Kafka or PostgreSQL is unreachable: it retries with backoff, answers
 * `GET /health/ready` with 503 meanwhile (200 `GET /health` as long as the process runs), and
 * resumes from its checkpoint. Events that break their contract are parked (see docs/operations.md).
 */
import './relay-tracing'; // first: see relay-tracing.ts
import 'reflect-metadata';
import http from 'node:http';
import { loadConfigOrExit } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform } from '@crm/platform';
import { Relay, RelayConfig, RelayMetrics } from '@crm/relay';
import { createServiceLogger, exitGracefullyOnSignals, logFormat } from '@crm/service-kit';

async function main(): Promise<void> {
  const config = loadConfigOrExit(RelayConfig);
  if (config.CRM_MODE !== 'distributed') {
    console.error('CRM_MODE: the relay runs in distributed mode (embedded read models follow the store directly)');
    process.exit(78);
  }
  // The same structured lines as the services' (docs/operations.md, Logs and traces).
  const log = createServiceLogger({ level: config.CRM_LOG_LEVEL, format: logFormat(config) }).child({ service: 'relay' });
  const registry = crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-relay' });
  // The lag is measured at scrape time from the durable checkpoint (the relay is built just below).
  const metrics = new RelayMetrics({ lag: () => relay.lag() });
  const relay: Relay = new Relay(platform.eventStore, platform.bus, platform.checkpoints, registry, {
    metrics,
    parking: { sql: platform.sql, schema: config.CRM_PLATFORM_SCHEMA },
    onRejected: (event, reason) => log.error({ eventId: event.id, eventType: event.type, reason }, 'parked an event that breaks its contract'),
    lease: platform.processLease(`relay:${config.CRM_EVENT_STORE_SCHEMA}`),
    onRetry: (error, attempt) => {
      if (attempt === 1 || attempt % 10 === 0)
        log.warn({ attempt, err: error instanceof Error ? error.message : String(error) }, 'publishing failed; retrying with backoff');
    },
  });
  await relay.migrate();
  relay.start();
  // One line per change of state, so the log shows which relay holds the lease and when it took over
  // (standby → catching-up → live), and when it retries; not a line per page.
  let lastState: string | undefined; // the first look logs the state it finds
  const watchState = setInterval(() => {
    const { state, checkpoint } = relay.health();
    if (state === lastState) return;
    (state === 'retrying' ? log.warn.bind(log) : log.info.bind(log))({ from: lastState, to: state, checkpoint }, `relay ${state}`);
    lastState = state;
  }, 500);
  watchState.unref();

  const server = http.createServer((req, res) => {
    const health = relay.health();
    const ready = (health.state === 'live' || health.state === 'catching-up') && health.failures === 0;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health') return send(200, { status: 'ok' });
    if (req.url === '/metrics') {
      // The relay's own metrics, then the platform's (the same registry a service app appends).
      Promise.all([metrics.registry.metrics(), platform.metrics.registry.metrics()]).then(
        (texts) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(texts.join(''));
        },
        (error: unknown) =>
          send(500, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (req.url === '/health/ready') {
      return ready
        ? send(200, { status: 'ok', relay: health })
        : send(503, { type: 'urn:crm:problem:not-ready', title: 'Service Unavailable', status: 503, detail: `relay ${health.state}`, relay: health });
    }
    send(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  });
  server.on('error', (error) => {
    log.fatal(`cannot serve its health probes on ${config.CRM_HTTP_HOST}:${config.CRM_HTTP_PORT} (CRM_HTTP_PORT / CRM_HTTP_HOST): ${error.message}`);
    process.exit(78);
  });
  server.listen(config.CRM_HTTP_PORT, config.CRM_HTTP_HOST);
  log.info(`relay running; health and metrics on ${config.CRM_HTTP_HOST}:${config.CRM_HTTP_PORT}`);

  // SIGTERM: the relay finishes the page it is publishing (checkpoint saved), gives the lease back so
  // a standby takes over at once, flushes its last trace spans and exits 0 — the services' shutdown,
  // without their delay (no load balancer sends the relay traffic).
  exitGracefullyOnSignals({
    delayMs: 0,
    log: (message) => log.info(message),
    close: async () => {
      server.close();
      clearInterval(watchState);
      log.info('stopping after the current page');
      await relay.stop();
      await platform.close();
    },
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { runGracefulExitHooks } from '@crm/telemetry';
import { closeEventStreams } from './event-streams';

/**
 * Whether this process is shutting down. One per process, not per app: the embedded host runs every
 * service in one process, and a SIGTERM takes all of them out of rotation at the same moment.
 * Readiness answers 503 from the moment `begin()` is called (see HealthController).
 */
export class ProcessDraining {
  private since?: Date;

  get draining(): boolean {
    return this.since !== undefined;
  }

  /** From now on every readiness probe in the process answers 503 and responses close their connection. */
  begin(): void {
    this.since ??= new Date();
  }

  /** For tests that run apps in their own process (jest): back to serving. */
  reset(): void {
    this.since = undefined;
  }
}

export const processDraining = new ProcessDraining();

/**
 * While draining, every response tells its client to close the connection: a keep-alive client
 * then opens its next request elsewhere instead of on a socket that is about to be cut. Decided
 * when the response's head is written, not when the request arrived: a request that came in before
 * the signal and is answered after it must say so too.
 */
export function closeConnectionsWhileDraining(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (processDraining.draining && !this.headersSent) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  next();
}

/**
 * Stops accepting connections, ends the server's live event streams, lets the requests in flight
 * finish, and resolves when the server is closed. Idle keep-alive connections are closed at once (they carry no request); connections still
 * busy after `timeoutMs` are cut, so a hung request cannot hold the shutdown past the pod's grace period.
 */
export async function closeHttpServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Live streams never finish by themselves: end them now (their clients reconnect elsewhere).
  closeEventStreams(server);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  // A connection that finished its response while draining has `Connection: close` and ends by itself;
  // one that went idle without it (a response written before draining began) is closed here.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  try {
    if ((await Promise.race([closed, timedOut])) === 'timeout') {
      server.closeAllConnections();
      await closed;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(idle);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a service process (or the embedded host) does on SIGTERM/SIGINT: readiness 503 at once, wait
 * `delayMs` for load balancers to notice, then `close` (which stops accepting, drains what is in
 * flight and stops consumers, pollers and the platform), then exit 0 — 1 when closing failed. A
 * second signal while shutting down is ignored: the first one is already on its way out. Returns a
 * function that removes the handlers (an app closed by other means, e.g. in a test), unless a
 * signal's shutdown is already running.
 */
export function exitGracefullyOnSignals(options: { delayMs: number; close: () => Promise<void>; log?: (message: string) => void }): () => void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    processDraining.begin();
    options.log?.(`${signal}: not ready any more; closing in ${options.delayMs} ms`);
    void sleep(options.delayMs)
      .then(() => options.close())
      // Then what other modules must finish first, e.g. exporting the last trace spans.
      .then(() => runGracefulExitHooks())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('shutdown failed:', error);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    if (shuttingDown) return;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

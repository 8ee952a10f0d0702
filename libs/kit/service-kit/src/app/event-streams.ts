import type { Server } from 'node:http';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';

/** What a route needs of the response to stream server-sent events (Express's response has it). */
export interface EventStreamResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableEnded: boolean;
  readonly socket: { server?: unknown } | null;
}

export interface EventStreamOptions {
  /** Whose stream it is: at most `perPrincipal` open streams per key (e.g. `staff:alice`). */
  principal: string;
  /** Open streams a principal may hold at once; the next one is refused with 429. Default 6. */
  perPrincipal?: number;
  /** A comment line this often keeps proxies from cutting an idle stream. Default 15 s. */
  heartbeatMs?: number;
  /** Run at every heartbeat (e.g. to check the caller may still read); a throw closes the stream. */
  onHeartbeat?: () => Promise<unknown> | void;
}

/** An open server-sent events stream. */
export interface EventStream {
  /** Sends one event (`data` as JSON). No-op once closed. */
  send(event: string, data: unknown): void;
  /** Ends the stream (the client sees the end of the response). Idempotent. */
  close(): void;
  readonly closed: boolean;
  /** Called once when the stream ends, from either side. */
  onClose(listener: () => void): void;
}

interface OpenStream {
  principal: string;
  stream: EventStream;
  server: unknown;
}

/** Every open stream of the process: counted per principal, ended when their server closes. */
const open = new Set<OpenStream>();

/** Open streams of a principal (for tests and metrics). */
export function openEventStreams(principal?: string): number {
  return [...open].filter((s) => principal === undefined || s.principal === principal).length;
}

/**
 * Starts a `text/event-stream` answer: headers flushed at once, a `ready` event, a heartbeat comment
 * every `heartbeatMs`. Bounded: a principal with `perPrincipal` open streams gets 429 problem+json
 * (thrown before anything is written, so the route's error handling answers it). Closed when the
 * client goes away, when the route closes it, and when its server closes (`closeHttpServer` ends the
 * server's streams first, so a graceful shutdown never waits on them).
 */
export function openEventStream(res: EventStreamResponse, options: EventStreamOptions): EventStream {
  const cap = options.perPrincipal ?? 6;
  if (openEventStreams(options.principal) >= cap)
    throw new HttpProblem(429, `at most ${cap} live streams may be open at once per caller; close one first`, {
      type: ProblemTypes.tooManyRequests,
      headers: { 'Retry-After': '5' },
    });
  const listeners: (() => void)[] = [];
  let closed = false;
  const timer: { heartbeat?: NodeJS.Timeout } = {};
  const entry: OpenStream = { principal: options.principal, server: res.socket?.server, stream: undefined as unknown as EventStream };
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer.heartbeat);
    open.delete(entry);
    for (const l of listeners.splice(0)) l();
  };
  const stream: EventStream = {
    send(event, data) {
      if (closed || res.writableEnded) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (closed) return;
      if (!res.writableEnded) res.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
  entry.stream = stream;
  open.add(entry);
  res.on('close', finish);
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  // nginx and similar proxies: do not buffer the stream.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  // How long a client waits before reconnecting after the stream ends.
  res.write('retry: 3000\n\n');
  timer.heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': heartbeat\n\n');
    if (options.onHeartbeat)
      void Promise.resolve()
        .then(options.onHeartbeat)
        .catch(() => stream.close());
  }, options.heartbeatMs ?? 15_000);
  timer.heartbeat.unref();
  return stream;
}

/** Ends every open stream served by `server` (all of them without one): before it closes. */
export function closeEventStreams(server?: Server): void {
  for (const s of [...open]) if (server === undefined || s.server === undefined || s.server === server) s.stream.close();
}

import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** A server-sent events stream as a spec reads it. */
export interface EventStreamUnderTest {
  status: number;
  type: string;
  /** The body of a refused stream (problem+json), else ''. */
  text: string;
  /** The events received so far, in order. */
  events: EventSourceMessage[];
  /** The comments received so far (heartbeats: `heartbeat`), in order. */
  comments: string[];
  /** Resolves with the first event (already received or to come) that matches; rejects when the stream ends first. */
  next(match: (e: EventSourceMessage) => boolean, what: string): Promise<EventSourceMessage>;
  /** Resolves when the server has ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens `url` with the bearer token in the Authorization header (as the console does — never in the
 * URL) and parses what comes as server-sent events. A non-2xx answer is read whole into `text`.
 */
export async function openEventStreamForTest(url: string, token: string | undefined): Promise<EventStreamUnderTest> {
  const abort = new AbortController();
  const r = await fetch(url, { headers: { accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }) }, signal: abort.signal });
  const type = r.headers.get('content-type') ?? '';
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const waiting: { match: (e: EventSourceMessage) => boolean; resolve: (e: EventSourceMessage) => void; reject: (e: Error) => void; what: string }[] = [];
  if (!r.ok || !type.startsWith('text/event-stream')) {
    const text = await r.text();
    return {
      status: r.status,
      type,
      text,
      events,
      comments,
      next: () => Promise.reject(new Error(`no stream: ${r.status}`)),
      ended: Promise.resolve(),
      close: () => undefined,
    };
  }
  const parser = createParser({
    onComment(comment) {
      comments.push(comment);
    },
    onEvent(e) {
      events.push(e);
      for (const w of [...waiting])
        if (w.match(e)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(e);
        }
    },
  });
  let done = false;
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    }
    done = true;
    for (const w of waiting.splice(0)) w.reject(new Error(`the stream ended before ${w.what}`));
  })();
  return {
    status: r.status,
    type,
    text: '',
    events,
    comments,
    next(match, what) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      if (done) return Promise.reject(new Error(`the stream ended before ${what}`));
      return new Promise((resolve, reject) => waiting.push({ match, resolve, reject, what }));
    },
    ended,
    close: () => abort.abort(),
  };
}

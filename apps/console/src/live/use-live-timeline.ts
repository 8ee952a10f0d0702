import { useEffect, useRef, useState } from 'react';
import { createParser } from 'eventsource-parser';
import { session } from '../auth/session-store';
import { useSession } from '../auth/use-session';

/** Backoff between reconnects: 1 s doubling up to 30 s, back to 1 s once a stream is open again. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The live route of the caller's kind: staff read every customer through sales, partners their shared ones through the portal. */
export function liveTimelineUrl(kind: 'staff' | 'partner', customerId: string): string {
  const service = kind === 'partner' ? 'partner-portal' : 'sales';
  return `/api/${service}/customers/${encodeURIComponent(customerId)}/timeline/live`;
}

/**
 * Live updates of a customer's relationship: while a page shows a customer, new interactions and
 * episodes appear without reloading. Calls `onChange` when the CRM reports a change of that
 * customer, scoped like every other read (staff: any customer; partner: shared customers only).
 *
 * Server-sent events from the services (`GET /customers/{id}/timeline/live`), read with `fetch` so the
 * bearer token travels in the Authorization header (an `EventSource` cannot send one, and a token in
 * the URL would end up in logs). Reconnects with backoff when the stream ends or fails; stops for good
 * on an answer that will not change by retrying (400, 403, 404) and when the CRM closes a partner's
 * stream because the customer is no longer shared (then `onChange` once more, so the page refetches
 * and shows what the CRM now answers). `connected` is true while a stream is open. Stops on unmount.
 */
export function useLiveTimeline(customerId: string | undefined, onChange: () => void): { connected: boolean } {
  const [connected, setConnected] = useState(false);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const s = useSession();
  const kind = s?.principal.kind;
  const token = s?.token;

  useEffect(() => {
    setConnected(false);
    if (!customerId || !kind || !token) return;
    const abort = new AbortController();
    const url = liveTimelineUrl(kind, customerId);
    let retryMs = FIRST_RETRY_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;

    /** One stream, until it ends: 'retry' (ended or failed), 'stop' (no use retrying). */
    const once = async (): Promise<'retry' | 'stop'> => {
      const current = session.token();
      if (!current) return 'stop';
      const response = await fetch(url, { headers: { authorization: `Bearer ${current}`, accept: 'text/event-stream' }, signal: abort.signal });
      if (response.status === 401) {
        session.expire();
        return 'stop';
      }
      if ([400, 403, 404].includes(response.status)) return 'stop';
      if (!response.ok || !response.body) return 'retry';
      let stop = false;
      const parser = createParser({
        onEvent(event) {
          if (event.event === 'ready') {
            retryMs = FIRST_RETRY_MS;
            setConnected(true);
          } else if (event.event === 'timeline') {
            onChangeRef.current();
          } else if (event.event === 'closed') {
            stop = true;
            onChangeRef.current();
          }
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } finally {
        setConnected(false);
      }
      return stop ? 'stop' : 'retry';
    };

    const run = async () => {
      while (!abort.signal.aborted) {
        const next = await once().catch(() => 'retry' as const);
        if (next === 'stop' || abort.signal.aborted) break;
        await new Promise<void>((resolve) => (timer = setTimeout(resolve, retryMs)));
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      }
    };
    void run();
    return () => {
      abort.abort();
      clearTimeout(timer);
      setConnected(false);
    };
  }, [customerId, kind, token]);

  return { connected };
}

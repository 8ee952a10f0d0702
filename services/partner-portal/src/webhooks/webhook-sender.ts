/** One webhook request, as the dispatcher makes it. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What came back: a status, or (no answer: refused, timed out, bad TLS) an error. */
export interface WebhookResponse {
  status?: number;
  error?: string;
}

/** The port the dispatcher sends through (tests may give their own). */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

export const WEBHOOK_SENDER = Symbol('WEBHOOK_SENDER');

/** The adapter: `fetch`, with a timeout; redirects are not followed (a partner's endpoint answers itself). */
export class FetchWebhookSender implements WebhookSender {
  async send(request: WebhookRequest): Promise<WebhookResponse> {
    try {
      const r = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      // The body is not needed; read it so the connection is released.
      await r.arrayBuffer().catch(() => undefined);
      return { status: r.status };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `timed out after ${request.timeoutMs} ms` : (e.cause?.code ?? e.message);
      return { error: String(reason).slice(0, 500) };
    }
  }
}

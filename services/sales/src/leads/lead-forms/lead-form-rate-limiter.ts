import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { rateLimitWindow, type LeadFormRateLimit } from '@crm/relationship';
import { CLOCK } from '@crm/service-kit';

/**
 * Per-form fixed-window rate limiting, with time from the injected clock. Counts live in this
 * process (a service run as several instances allows each form its limit per instance); a window
 * that has passed is forgotten when the form posts again, and at most `maxForms` windows are kept.
 */
@Injectable()
export class LeadFormRateLimiter {
  private readonly windows = new Map<string, { start: number; end: number; count: number }>();
  private readonly maxForms = 10_000;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** Counts one post of the form: `{ allowed: true }`, or the seconds until its window ends. */
  take(formId: string, limit: LeadFormRateLimit): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.clock.now();
    const window = rateLimitWindow(limit, now);
    let current = this.windows.get(formId);
    if (!current || current.start !== window.start) {
      if (!current && this.windows.size >= this.maxForms) this.forgetPast(now.getTime());
      current = { ...window, count: 0 };
      this.windows.set(formId, current);
    }
    if (current.count >= limit.requests) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((current.end - now.getTime()) / 1000)) };
    current.count += 1;
    return { allowed: true };
  }

  private forgetPast(now: number): void {
    for (const [formId, w] of this.windows) if (w.end <= now) this.windows.delete(formId);
    // Still full: the oldest entries go (a form forgotten this way may post its limit once more).
    for (const formId of this.windows.keys()) {
      if (this.windows.size < this.maxForms) break;
      this.windows.delete(formId);
    }
  }
}

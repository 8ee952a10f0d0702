/**
 * Where "now" comes from. Command code takes a clock instead of calling `new Date()`, so a test
 * can fix time (SLA, schedules, triggers) and a replay stays deterministic.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock a test sets and moves by hand. */
export class TestClock implements Clock {
  private current: Date;
  constructor(start: Date | string = '2026-03-01T09:00:00.000Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

import type { ExpectedRevision } from './types';

/** The expected revision did not hold: someone else wrote to the stream first. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision; undefined when the stream does not exist. */
    readonly actual: bigint | undefined,
  ) {
    super(`Stream "${streamId}": expected revision ${String(expected)}, actual ${actual === undefined ? 'no stream' : String(actual)}`);
  }
}

/** Some, but not all, event ids of a batch were already appended — a retry that changed its batch. */
export class IdempotencyViolationError extends Error {
  override readonly name = 'IdempotencyViolationError';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`Stream "${streamId}": event ids ${eventIds.join(', ')} were already appended but the rest of the batch was not`);
  }
}

export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}

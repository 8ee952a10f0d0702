import { randomUUID } from 'node:crypto';
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  convertToCommandError,
  type Position,
} from '@eventstore/db-client';
import { Empty, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { ConcurrencyConflictError, IdempotencyViolationError, START as PORT_START, comparePositions, type RecordedEvent } from '@crm/event-store';
import { testEvent, testMetadata } from '@crm/event-store/testing';
import {
  MissingPositionError,
  decodeMetadata,
  encodeMetadata,
  findIdempotentResult,
  isMissingStream,
  isSystemEvent,
  isWrongExpectedVersion,
  storedAppendId,
  toActualRevision,
  toConcurrencyConflict,
  toEsdbExpectedRevision,
  toEventData,
  toGlobalPosition,
  toReadPosition,
  toRecordedEvent,
  type EsdbRecordedEventLike,
  type EsdbResolvedEventLike,
} from './esdb-mapping';
import { scanAll, type ReadAllPage } from './esdb-read-all';

describe('expected revision mapping', () => {
  it('maps the port keywords onto the client constants and passes revisions through', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(0n)).toBe(0n);
    expect(toEsdbExpectedRevision(41n)).toBe(41n);
  });

  it('refuses a negative revision (the wire field is unsigned)', () => {
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
  });

  it('reads the current revision back as the port `actual`: undefined for no stream', () => {
    expect(toActualRevision(NO_STREAM)).toBeUndefined();
    expect(toActualRevision(-1n)).toBeUndefined();
    expect(toActualRevision(undefined)).toBeUndefined();
    expect(toActualRevision(0n)).toBe(0n);
    expect(toActualRevision(7n)).toBe(7n);
  });
});

describe('error mapping', () => {
  // The three ways the v6 client builds WrongExpectedVersionError, each from its real code path.
  function fromBatchAppend(configure: (d: WrongExpectedVersion) => void): WrongExpectedVersionError {
    const details = new WrongExpectedVersion();
    configure(details);
    return WrongExpectedVersionError.fromWrongExpectedVersion(details, 'orders-1');
  }

  it('maps a batch-append conflict on an existing stream to ConcurrencyConflictError with the actual revision', () => {
    const error = fromBatchAppend((d) => {
      d.setCurrentStreamRevision('4');
      d.setExpectedStreamPosition('2');
    });
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(isWrongExpectedVersion(error)).toBe(true);
    const conflict = toConcurrencyConflict('orders-1', 2n, error);
    expect(conflict).toBeInstanceOf(ConcurrencyConflictError);
    expect(conflict).toMatchObject({ name: 'ConcurrencyConflictError', streamId: 'orders-1', expected: 2n, actual: 4n });
    expect(conflict.message).toContain('actual 4');
  });

  it('maps a conflict on a missing stream to actual undefined', () => {
    const error = fromBatchAppend((d) => {
      d.setCurrentNoStream(new Empty());
      d.setExpectedStreamExists(new Empty());
    });
    expect(error.actualVersion).toBe(NO_STREAM);
    const conflict = toConcurrencyConflict('orders-1', 'stream_exists', error);
    expect(conflict.actual).toBeUndefined();
    expect(conflict.expected).toBe('stream_exists');
    expect(conflict.message).toContain('no stream');
  });

  it('maps the unary-append form (built from versions) the same way', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 's', expected: NO_STREAM, current: 0n });
    expect(isWrongExpectedVersion(error)).toBe(true);
    expect(toConcurrencyConflict('s', 'no_stream', error).actual).toBe(0n);
  });

  it('maps the gRPC-status form (legacy metadata, -1 for no stream) the same way', () => {
    const status = Object.assign(new Error('Wrong expected version'), {
      code: 9,
      details: 'Wrong expected version',
      metadata: { getMap: () => ({ exception: 'wrong-expected-version', 'stream-name': 's', 'expected-version': '3', 'actual-version': '-1' }) },
    });
    const error = convertToCommandError(status);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(isWrongExpectedVersion(error)).toBe(true);
    expect(toConcurrencyConflict('s', 3n, error as WrongExpectedVersionError).actual).toBeUndefined();
  });

  it('recognises a WrongExpectedVersion by its type tag when the class identity differs (duplicate client copies)', () => {
    const foreign = Object.assign(new Error('wev'), { type: 'wrong-expected-version' });
    expect(isWrongExpectedVersion(foreign)).toBe(true);
  });

  it('does not take other errors for conflicts', () => {
    expect(isWrongExpectedVersion(new Error('boom'))).toBe(false);
    expect(isWrongExpectedVersion(new UnavailableError())).toBe(false);
    expect(isWrongExpectedVersion(new StreamNotFoundError(undefined, 's'))).toBe(false);
    expect(isWrongExpectedVersion('wrong-expected-version')).toBe(false);
    expect(isWrongExpectedVersion(undefined)).toBe(false);
  });

  it('treats a missing or deleted stream as empty, nothing else', () => {
    expect(isMissingStream(new StreamNotFoundError(undefined, 's'))).toBe(true);
    expect(isMissingStream(StreamDeletedError.fromStreamName('s'))).toBe(true);
    expect(isMissingStream(new UnavailableError())).toBe(false);
    expect(isMissingStream(new WrongExpectedVersionError(undefined, { streamName: 's', expected: ANY, current: 0n }))).toBe(false);
  });
});

describe('metadata round trip', () => {
  const wire = <T>(value: T): unknown => JSON.parse(JSON.stringify(value)) as unknown;

  it('stores the port metadata flat with schemaVersion and ESDB correlation keys, and reads back exactly the port metadata', () => {
    const metadata = testMetadata({
      actor: { type: 'partner-user', id: 'p-7', partnerId: 'partner-a' },
      visibility: { departments: ['service', 'sales'], partners: ['partner-a'] },
    });
    const event = { ...testEvent('ContactAdded', { email: 'a@x.io' }, metadata), schemaVersion: 3 };
    const stored = encodeMetadata(event);
    expect(stored).toMatchObject({ ...metadata, schemaVersion: 3, $correlationId: metadata.correlationId, $causationId: metadata.causationId });

    const back = decodeMetadata(wire(stored), '2024-01-01T00:00:00.000Z');
    expect(back.schemaVersion).toBe(3);
    expect(back.metadata).toStrictEqual(metadata);
  });

  it('records which append call wrote the event, and strips that on read', () => {
    const metadata = testMetadata();
    const stored = encodeMetadata({ ...testEvent(), metadata }, 'call-42');
    expect(stored.crmAppendId).toBe('call-42');
    expect(storedAppendId(wire(stored))).toBe('call-42');
    expect(decodeMetadata(wire(stored), 'x').metadata).toStrictEqual(metadata);
    expect(encodeMetadata(testEvent())).not.toHaveProperty('crmAppendId');
    expect(toEventData(testEvent(), 'call-43').metadata).toMatchObject({ crmAppendId: 'call-43' });
    for (const raw of [undefined, null, [1], 'x', { crmAppendId: 7 }]) expect(storedAppendId(raw)).toBeUndefined();
  });

  it('defaults schemaVersion to 1 on write and on read', () => {
    const { schemaVersion: _omit, ...event } = testEvent();
    expect(encodeMetadata(event).schemaVersion).toBe(1);
    const { schemaVersion: _gone, ...noVersion } = encodeMetadata(event);
    expect(decodeMetadata(wire(noVersion), 'x').schemaVersion).toBe(1);
    expect(decodeMetadata(wire({ ...noVersion, schemaVersion: 'two' }), 'x').schemaVersion).toBe(1);
  });

  it('gives events without JSON object metadata (not written by this adapter) a metadata visible to nobody', () => {
    for (const raw of [undefined, null, 'text', [1, 2], new Uint8Array([1, 2])]) {
      const { metadata, schemaVersion } = decodeMetadata(raw, '2024-05-01T10:00:00.000Z');
      expect(schemaVersion).toBe(1);
      expect(metadata).toEqual({
        correlationId: '',
        causationId: '',
        actor: { type: 'system', id: 'unknown' },
        occurredAt: '2024-05-01T10:00:00.000Z',
        visibility: { departments: [], partners: [] },
      });
    }
  });

  it('builds a JSON event with the caller id (so ESDB can dedupe retries), type, data and stored metadata', () => {
    const event = testEvent('CustomerRegistered', { name: 'Ana' });
    const data = toEventData(event);
    expect(data).toEqual({ id: event.id, contentType: 'application/json', type: 'CustomerRegistered', data: { name: 'Ana' }, metadata: encodeMetadata(event) });
    expect(toEventData({ ...event, data: undefined }).data).toBeNull();
  });
});

describe('recorded events and positions', () => {
  const position: Position = { commit: 5000n, prepare: 4900n };
  function recorded(overrides: Partial<EsdbRecordedEventLike> = {}): EsdbRecordedEventLike {
    const event = testEvent('Counted', { i: 1 });
    return {
      streamId: 'counter-1',
      id: event.id,
      revision: 3n,
      type: event.type,
      data: { i: 1 },
      metadata: JSON.parse(JSON.stringify(encodeMetadata({ ...event, schemaVersion: 2 }))) as unknown,
      created: new Date('2024-02-03T04:05:06.789Z'),
      position,
      ...overrides,
    };
  }

  it('maps a client event to the port event: ids, revision, (commit, prepare) position, recordedAt from `created`', () => {
    const raw = recorded();
    const event = toRecordedEvent({ event: raw, commitPosition: position.commit });
    expect(event).toMatchObject({
      id: raw.id,
      streamId: 'counter-1',
      revision: 3n,
      type: 'Counted',
      data: { i: 1 },
      schemaVersion: 2,
      position: { commit: 5000n, prepare: 4900n },
      recordedAt: '2024-02-03T04:05:06.789Z',
    });
    expect(event!.position).not.toBe(position);
  });

  it('skips an unresolvable link and refuses an event without its log position', () => {
    expect(toRecordedEvent({})).toBeUndefined();
    expect(() => toRecordedEvent({ event: recorded({ position: undefined }) })).toThrow(MissingPositionError);
  });

  it('converts positions both ways; no checkpoint and the port START both read from the start of $all', () => {
    expect(toGlobalPosition({ commit: 10n, prepare: 9n })).toEqual({ commit: 10n, prepare: 9n });
    expect(toReadPosition(undefined)).toBe(START);
    expect(toReadPosition(PORT_START)).toBe(START);
    expect(toReadPosition({ commit: 10n, prepare: 9n })).toEqual({ commit: 10n, prepare: 9n });
    expect(toReadPosition({ commit: 0n, prepare: 0n })).toEqual({ commit: 0n, prepare: 0n });
  });

  it('filters system events by `$` type or `$` stream, and only those', () => {
    expect(isSystemEvent({ type: '$>', streamId: '$ce-orders' })).toBe(true);
    expect(isSystemEvent({ type: '$metadata', streamId: '$$orders-1' })).toBe(true);
    expect(isSystemEvent({ type: '$statsCollected', streamId: '$stats-127.0.0.1:2113' })).toBe(true);
    expect(isSystemEvent({ type: 'SomethingHappened', streamId: '$scavenges' })).toBe(true);
    expect(isSystemEvent({ type: 'Price$Changed', streamId: 'orders-1' })).toBe(false);
    expect(isSystemEvent({ type: 'OrderPlaced', streamId: 'orders-$1' })).toBe(false);
  });
});

describe('idempotency by event id', () => {
  const stored = (events: { id: string }[], from = 0n): RecordedEvent[] =>
    events.map((e, i) => ({
      ...testEvent(),
      id: e.id,
      streamId: 's',
      revision: from + BigInt(i),
      position: { commit: 100n * (from + BigInt(i)), prepare: 100n * (from + BigInt(i)) },
      recordedAt: new Date().toISOString(),
      schemaVersion: 1,
    }));

  it('none of the batch stored → append', () => {
    expect(findIdempotentResult('s', [testEvent()], stored([testEvent()]))).toBeUndefined();
    expect(findIdempotentResult('s', [testEvent()], [])).toBeUndefined();
  });

  it('the whole batch stored → the earlier result with appended false (last revision, its position)', () => {
    const batch = [testEvent(), testEvent()];
    const existing = stored([testEvent(), ...batch, testEvent()]);
    expect(findIdempotentResult('s', batch, [...existing].reverse())).toEqual({
      nextExpectedRevision: 2n,
      position: { commit: 200n, prepare: 200n },
      appended: false,
    });
  });

  it('compares ids without regard to case (ESDB returns lowercase UUIDs)', () => {
    const id = randomUUID();
    const result = findIdempotentResult('s', [{ ...testEvent(), id: id.toUpperCase() }], stored([{ id }]));
    expect(result?.appended).toBe(false);
  });

  it('part of the batch stored → IdempotencyViolationError naming the stored ids', () => {
    const a = testEvent();
    const error = (() => {
      try {
        findIdempotentResult('s', [a, testEvent()], stored([a]));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(IdempotencyViolationError);
    expect(error).toMatchObject({ streamId: 's', eventIds: [a.id] });
  });
});

describe('$all scan (readAll paging)', () => {
  interface Raw {
    streamId: string;
    type: string;
    position: Position;
  }
  function log(spec: string): Raw[] {
    // "u" = user event, "s" = system event; positions 100, 200, ... (commit = prepare).
    return [...spec].map((c, i) => ({
      streamId: c === 'u' ? 'orders-1' : '$ce-orders',
      type: c === 'u' ? 'OrderPlaced' : '$>',
      position: { commit: BigInt((i + 1) * 100), prepare: BigInt((i + 1) * 100) },
    }));
  }
  function reader(raws: Raw[]): ReadAllPage & { requests: { from: unknown; count: number }[] } {
    const requests: { from: unknown; count: number }[] = [];
    const read = async (from: Parameters<ReadAllPage>[0], count: number): Promise<EsdbResolvedEventLike[]> => {
      requests.push({ from, count });
      const start = from === START ? 0 : raws.findIndex((r) => typeof from === 'object' && comparePositions(r.position, from) >= 0);
      if (start < 0) return [];
      return raws.slice(start, start + count).map((r, i) => ({
        event: {
          ...r,
          id: randomUUID(),
          revision: BigInt(start + i),
          data: { n: start + i },
          metadata: encodeMetadata(testEvent()),
          created: new Date(),
        },
      }));
    };
    return Object.assign(read, { requests });
  }
  const nth = (events: RecordedEvent[]) => events.map((e) => (e.data as { n: number }).n);

  it('returns non-system events strictly after `after`, in order', async () => {
    const raws = log('uusuusu');
    const { events } = await scanAll(reader(raws), raws[1].position, 100, 500);
    expect(nth(events)).toEqual([3, 4, 6]);
    for (let i = 1; i < events.length; i++) expect(comparePositions(events[i - 1].position, events[i].position)).toBeLessThan(0);
  });

  it('reads from the beginning without `after` and with the port START', async () => {
    const raws = log('suus');
    expect(nth((await scanAll(reader(raws), undefined, 100, 500)).events)).toEqual([1, 2]);
    expect(nth((await scanAll(reader(raws), PORT_START, 100, 500)).events)).toEqual([1, 2]);
  });

  it('counts maxCount in non-system events, paging through long runs of system events', async () => {
    const raws = log(`u${'s'.repeat(150)}u${'s'.repeat(70)}uu`);
    const read = reader(raws);
    const { events, scannedTo } = await scanAll(read, undefined, 3, 40);
    expect(nth(events)).toEqual([0, 151, 222]);
    expect(scannedTo).toEqual(events[2].position);
    expect(read.requests.length).toBeGreaterThan(3);
    expect(Math.max(...read.requests.map((r) => r.count))).toBeLessThanOrEqual(41);
  });

  it('reports how far it scanned, including trailing system events, so a follow-up can skip them', async () => {
    const raws = log('uu' + 's'.repeat(50));
    const { events, scannedTo } = await scanAll(reader(raws), undefined, 10, 20);
    expect(nth(events)).toEqual([0, 1]);
    expect(scannedTo).toEqual(raws[raws.length - 1].position);
    const next = reader(raws);
    expect((await scanAll(next, scannedTo, 10, 20)).events).toEqual([]);
    expect(next.requests).toHaveLength(1);
  });

  it('returns nothing at the end, for maxCount 0, and for an empty log', async () => {
    const raws = log('uus');
    expect((await scanAll(reader(raws), raws[2].position, 10, 500)).events).toEqual([]);
    expect((await scanAll(reader(raws), undefined, 0, 500)).events).toEqual([]);
    expect(await scanAll(reader([]), undefined, 10, 500)).toEqual({ events: [] });
  });

  it('pages exactly: every user event once across page boundaries', async () => {
    const raws = log('usu'.repeat(200));
    const { events } = await scanAll(reader(raws), undefined, 100000, 7);
    expect(events).toHaveLength(400);
    expect(new Set(events.map((e) => e.id)).size).toBe(400);
  });
});

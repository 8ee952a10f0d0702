import { consumerGroupLag } from './kafka-wire';

describe('consumerGroupLag', () => {
  it('sums high watermark − committed offset over the partitions', () => {
    expect(
      consumerGroupLag([
        { high: 10n, low: 0n, committed: 7n },
        { high: 5n, low: 0n, committed: 5n },
      ]),
    ).toBe(3);
  });

  it('counts from the low watermark where the group committed nothing (absent or negative)', () => {
    expect(
      consumerGroupLag([
        { high: 10n, low: 4n },
        { high: 8n, low: 2n, committed: -1n },
      ]),
    ).toBe(12);
  });

  it('never counts a partition below zero', () => {
    expect(consumerGroupLag([{ high: 3n, low: 0n, committed: 5n }])).toBe(0);
  });
});

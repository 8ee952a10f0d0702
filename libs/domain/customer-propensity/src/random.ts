/**
 * Deterministic randomness for models that must be reproducible: the same seed gives the same
 * draws, and a hold-out split by id is the same split every time it is trained on the same customers.
 */

/** Mulberry32: a small, fast 32-bit generator; good enough for splits and test data, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of the seed and the id, as a number in [0, 1). */
export function hashUnit(id: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche: FNV alone keeps nearby ids' low bits close.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * A hold-out split stratified by label: within each label, the ids are ordered by their hash with
 * the seed and the first round(share × n) are held out, so both sides keep the labels' proportions
 * whatever the ids are. A plain hash split of a small set can leave a side with no example of the
 * rarer label, and its AUC undefined, for one set of ids and not another (ids are random).
 *
 * When a label has at least 2 × minPerSide ids, the count held out is nudged into
 * [minPerSide, n − minPerSide], so each side gets at least minPerSide of it even when the share
 * rounds below that; a label with fewer is split by the share alone (the caller decides what too
 * few means). Deterministic: the same ids, labels and seed give the same split in any order.
 * Returns the ids held out.
 */
export function stratifiedHoldOut<L>(items: readonly { id: string; label: L }[], share: number, seed = 0, minPerSide = 0): Set<string> {
  const byLabel = new Map<L, string[]>();
  for (const { id, label } of items) {
    const ids = byLabel.get(label) ?? [];
    ids.push(id);
    byLabel.set(label, ids);
  }
  const held = new Set<string>();
  for (const ids of byLabel.values()) {
    const ordered = ids.map((id) => ({ id, h: hashUnit(id, seed) })).sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let count = Math.round(share * ordered.length);
    if (ordered.length >= 2 * minPerSide) count = Math.min(Math.max(count, minPerSide), ordered.length - minPerSide);
    for (const { id } of ordered.slice(0, count)) held.add(id);
  }
  return held;
}

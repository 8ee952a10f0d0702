/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a randomly chosen
 * positive scores higher than a randomly chosen negative, a tie counting one half. Computed from
 * mid-ranks (ties share the average rank) in O(n log n). `null` when either class is empty (the
 * area is undefined then).
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number | null {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  const order = scores.map((_score, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    // Ranks i+1 … j+1 are tied: each gets their mean.
    const midRank = (i + 1 + (j + 1)) / 2;
    for (let t = i; t <= j; t++) {
      if (labels[order[t]] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

// "Did you mean": the closest known word to a mistyped flag, config key or value (edit distance, or a unique prefix).

/**
 * Edit distance: insertions, deletions, substitutions and swaps of two neighbours (`jsno` -> `json`), each
 * costing 1 (Levenshtein with transpositions, the "optimal string alignment" variant).
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let cost = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, (before[j - 2] as number) + 1);
      current.push(cost);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate `word` most likely meant: the only one it is a prefix of (`pers` -> `persist`), else the
 * nearest within a third of its length (at least 1, at most 3 edits; `dedline` -> `deadline`), else undefined.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase().replace(/_/g, '-');
  if (lower === '') return undefined;
  const prefixed = candidates.filter((candidate) => candidate.startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `; did you mean --persist?` or '' (for appending to a message). */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean ${prefix}${match}?`;
}

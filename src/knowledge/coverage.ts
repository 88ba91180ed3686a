// How many connections through a virtual address it takes to see every node behind it.
//
// A load balancer that picks a node at random for each connection makes n connections n
// independent uniform draws from k nodes. The chance that every node answers at least once is,
// by inclusion–exclusion over the nodes that are missed,
//
//     P(k, n) = Σ_{j=0..k} (-1)^j · C(k, j) · (1 - j/k)^n
//
// Round robin is never worse: k consecutive connections reach all k nodes (when other clients'
// connections interleave, the order is as good as random for us, which the formula covers).
// The default is the smallest n with P ≥ 99% for max(3, nodes in the group): 15 connections for
// up to 3 nodes, 21 for 4, 28 for 5. For SSH that many are made per host-key type, so that every
// node's key of every type is seen.

export const COVERAGE_TARGET = 0.99;
/** Nodes assumed behind a virtual address when the group names fewer (a small cluster). */
export const MIN_ASSUMED_NODES = 3;
/** Most connections the default asks for one item (a group of many nodes needs its own --vip-samples). */
export const MAX_DEFAULT_SAMPLES = 200;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** The probability that n uniform draws from k nodes reach every one of them. */
export function coverageProbability(k: number, n: number): number {
  if (k <= 0) return 1;
  if (n < k) return 0;
  let p = 0;
  for (let j = 0; j <= k; j++) p += (j % 2 ? -1 : 1) * binomial(k, j) * Math.pow(1 - j / k, n);
  return Math.min(1, Math.max(0, p));
}

/** The fewest draws that reach all k nodes with at least probability `target`. */
export function samplesForCoverage(k: number, target = COVERAGE_TARGET): number {
  for (let n = Math.max(1, k); n <= MAX_DEFAULT_SAMPLES; n++) if (coverageProbability(k, n) >= target) return n;
  return MAX_DEFAULT_SAMPLES;
}

/** The default for a group that lists `nodes` active nodes, and the sentence that says why. */
export function defaultSamples(nodes: number): { samples: number; why: string } {
  const k = Math.max(MIN_ASSUMED_NODES, nodes);
  const n = samplesForCoverage(k);
  const p = coverageProbability(k, n);
  return {
    samples: n,
    why: `${n} connections reach each of ${k} nodes behind round-robin or random balancing with probability ${(p * 100).toFixed(2)}% (≥ ${COVERAGE_TARGET * 100}%: P = Σ_j (-1)^j·C(${k},j)·(1-j/${k})^${n})`,
  };
}

/** The sentence for a number of connections given by the user. */
export function givenSamplesWhy(n: number, nodes: number): string {
  const k = Math.max(MIN_ASSUMED_NODES, nodes);
  return `${n} connections (as asked) reach each of ${k} nodes behind random balancing with probability ${(coverageProbability(k, n) * 100).toFixed(2)}%`;
}

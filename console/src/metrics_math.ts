// Rates and latency percentiles between two scrapes of /metrics. Counters and histogram buckets
// only ever grow, so what happened in between is the difference; a counter that went down means
// the process restarted, and then the new value is all that happened since.
import type { Sample } from "./prometheus";

export interface Scrape {
  at: number; // seconds (Date.now() / 1000) when it was taken
  samples: Sample[];
}

// The values of `name` summed per combination of `by` labels, e.g. by ["route"].
export function sumBy(samples: Sample[], name: string, by: string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = by.map((label) => s.labels[label] ?? "").join(" ");
    sums.set(key, (sums.get(key) ?? 0) + s.value);
  }
  return sums;
}

function increase(before: number | undefined, after: number): number {
  if (before === undefined) return after; // a series that appeared since: it started at zero
  return after >= before ? after - before : after;
}

// Per second, per group, between the two scrapes; empty when no time passed.
export function counterRates(prev: Scrape, curr: Scrape, name: string, by: string[]): Map<string, number> {
  const rates = new Map<string, number>();
  const seconds = curr.at - prev.at;
  if (!(seconds > 0)) return rates;
  const before = sumBy(prev.samples, name, by);
  for (const [key, value] of sumBy(curr.samples, name, by)) {
    rates.set(key, increase(before.get(key), value) / seconds);
  }
  return rates;
}

export interface Bucket {
  le: number; // upper bound, Infinity for the last
  count: number; // cumulative
}

// The q-quantile (0 < q < 1) of a cumulative histogram, interpolated linearly inside the bucket
// it falls in, as Prometheus' histogram_quantile does. NaN when the histogram is empty. A quantile
// in the +Inf bucket is the largest finite bound: nothing better is known.
export function histogramQuantile(q: number, buckets: Bucket[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted[sorted.length - 1];
  if (!last || !(last.count > 0)) return NaN;
  const rank = q * last.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

// The buckets of histogram `base` (base_bucket{le}) per group of `by` labels, summed over the rest.
export function histogramBuckets(samples: Sample[], base: string, by: string[]): Map<string, Map<number, number>> {
  const groups = new Map<string, Map<number, number>>();
  for (const s of samples) {
    if (s.name !== `${base}_bucket` || s.labels.le === undefined) continue;
    const key = by.map((label) => s.labels[label] ?? "").join(" ");
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    group.set(le, (group.get(le) ?? 0) + s.value);
  }
  return groups;
}

// For each group with requests between the scrapes: its quantiles of those requests only.
export function deltaQuantiles(
  prev: Scrape,
  curr: Scrape,
  base: string,
  by: string[],
  qs: number[],
): Map<string, number[]> {
  const before = histogramBuckets(prev.samples, base, by);
  const out = new Map<string, number[]>();
  for (const [key, group] of histogramBuckets(curr.samples, base, by)) {
    const old = before.get(key);
    const total = group.get(Infinity) ?? 0;
    const oldTotal = old?.get(Infinity);
    const reset = oldTotal !== undefined && total < oldTotal;
    const buckets: Bucket[] = [...group].map(([le, count]) => ({
      le,
      count: reset ? count : count - (old?.get(le) ?? 0),
    }));
    if (!buckets.some((b) => b.le === Infinity && b.count > 0)) continue;
    out.set(
      key,
      qs.map((q) => histogramQuantile(q, buckets)),
    );
  }
  return out;
}

// A gauge's value: the largest of its series (outbox lag is one series; max is the honest
// reading when there are several), or null when absent.
export function gaugeMax(samples: Sample[], name: string): number | null {
  let max: number | null = null;
  for (const s of samples) {
    if (s.name === name && Number.isFinite(s.value)) max = max === null ? s.value : Math.max(max, s.value);
  }
  return max;
}

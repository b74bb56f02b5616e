import { describe, expect, it } from "vitest";
import { counterRates, deltaQuantiles, gaugeMax, histogramQuantile, type Scrape } from "../src/metrics_math";
import { parsePrometheus } from "../src/prometheus";

const scrape = (at: number, text: string): Scrape => ({ at, samples: parsePrometheus(text) });

describe("counterRates", () => {
  it("is the increase per second, summed over the other labels", () => {
    const prev = scrape(100, 'r{route="/a",status="200"} 10\nr{route="/a",status="500"} 1\nr{route="/b",status="200"} 5');
    const curr = scrape(102, 'r{route="/a",status="200"} 16\nr{route="/a",status="500"} 3\nr{route="/b",status="200"} 5');
    expect(counterRates(prev, curr, "r", ["route"])).toEqual(new Map([["/a", 4], ["/b", 0]]));
  });

  it("counts a new series from zero and a reset from its new value", () => {
    const prev = scrape(0, 'r{route="/a"} 100');
    const curr = scrape(4, 'r{route="/a"} 8\nr{route="/new"} 2');
    expect(counterRates(prev, curr, "r", ["route"])).toEqual(new Map([["/a", 2], ["/new", 0.5]]));
  });

  it("is empty when no time passed", () => {
    expect(counterRates(scrape(5, "r 1"), scrape(5, "r 2"), "r", []).size).toBe(0);
  });
});

describe("histogramQuantile", () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.2, count: 90 },
    { le: 0.4, count: 100 },
    { le: Infinity, count: 100 },
  ];
  it("interpolates inside the bucket the rank falls in", () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.15);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.38);
  });
  it("answers the largest finite bound for a rank in +Inf, NaN when empty", () => {
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Infinity, count: 10 }])).toBe(1);
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeNaN();
  });
});

describe("deltaQuantiles", () => {
  const h = (at: number, fast: number, slow: number, total: number) =>
    scrape(
      at,
      [
        `d_bucket{route="/a",le="0.01"} ${fast}`,
        `d_bucket{route="/a",le="1"} ${slow}`,
        `d_bucket{route="/a",le="+Inf"} ${total}`,
        `d_count{route="/a"} ${total}`,
      ].join("\n"),
    );

  it("uses only the requests between the two scrapes", () => {
    // Before: 1000 fast requests. Between: 10 requests, all between 0.01 and 1 s.
    const out = deltaQuantiles(h(0, 1000, 1000, 1000), h(2, 1000, 1010, 1010), "d", ["route"], [0.5, 0.9]);
    const [p50, p90] = out.get("/a")!;
    expect(p50).toBeCloseTo(0.01 + 0.99 * 0.5);
    expect(p90).toBeCloseTo(0.01 + 0.99 * 0.9);
  });

  it("leaves out a route without requests in between, and survives a restart", () => {
    expect(deltaQuantiles(h(0, 5, 5, 5), h(2, 5, 5, 5), "d", ["route"], [0.5]).size).toBe(0);
    const afterRestart = deltaQuantiles(h(0, 500, 500, 500), h(2, 2, 2, 2), "d", ["route"], [0.5]);
    expect(afterRestart.get("/a")![0]).toBeCloseTo(0.005);
  });
});

describe("gaugeMax", () => {
  it("is the largest series, null when absent", () => {
    expect(gaugeMax(parsePrometheus('g{a="1"} 2\ng{a="2"} 5'), "g")).toBe(5);
    expect(gaugeMax(parsePrometheus("other 1"), "g")).toBeNull();
  });
});

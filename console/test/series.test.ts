import { describe, expect, it } from "vitest";
import { RollingSeries } from "../src/series";

describe("RollingSeries", () => {
  it("fills gaps for series that appear later and drops old points", () => {
    const s = new RollingSeries(10);
    s.push(0, new Map([["a", 1]]));
    s.push(5, new Map([["a", 2], ["b", 3]]));
    expect(s.window(100, 5)).toEqual({ times: [0, 5], columns: [[1, 2], [null, 3]] });
    s.push(12, new Map([["b", 4]]));
    expect(s.window(100, 12)).toEqual({ times: [5, 12], columns: [[2, null], [3, 4]] });
  });
  it("shows only the requested window", () => {
    const s = new RollingSeries(900);
    for (let t = 0; t <= 100; t += 10) s.push(t, new Map([["a", t]]));
    expect(s.window(30, 100).times).toEqual([70, 80, 90, 100]);
  });
  it("turns non-finite values into gaps", () => {
    const s = new RollingSeries(10);
    s.push(0, new Map([["a", NaN]]));
    expect(s.window(10, 0).columns).toEqual([[null]]);
  });
});

describe("RollingSeries.names", () => {
  it("puts the named aggregate first", () => {
    const s = new RollingSeries(10);
    s.push(0, new Map([["b", 1], ["all", 3], ["a", 2]]));
    expect(s.names("all")).toEqual(["all", "a", "b"]);
    expect(s.window(10, 0, "all").columns).toEqual([[3], [2], [1]]);
    expect(s.names()).toEqual(["a", "all", "b"]);
  });
});

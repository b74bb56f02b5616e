// A rolling window of chart points: one timestamp axis, any number of named series that may appear
// at any time (a route that gets its first request). Points older than `keepSeconds` are dropped.

export class RollingSeries {
  private times: number[] = [];
  private values = new Map<string, (number | null)[]>();

  constructor(private readonly keepSeconds: number) {}

  // Adds one point in time; series absent from `point` get a gap (null) there.
  push(at: number, point: Map<string, number>): void {
    this.times.push(at);
    for (const name of point.keys()) {
      if (!this.values.has(name)) this.values.set(name, new Array<number | null>(this.times.length - 1).fill(null));
    }
    for (const [name, column] of this.values) column.push(Number.isFinite(point.get(name)) ? point.get(name)! : null);
    const cutoff = at - this.keepSeconds;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < cutoff) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      for (const column of this.values.values()) column.splice(0, drop);
    }
  }

  // Sorted, except that `first` (an aggregate, say) leads when present.
  names(first?: string): string[] {
    const names = [...this.values.keys()].sort();
    const at = first === undefined ? -1 : names.indexOf(first);
    if (at > 0) names.unshift(...names.splice(at, 1));
    return names;
  }

  // The points of the last `seconds` before `now`: [times, ...one array per name in names(first)].
  window(seconds: number, now: number, first?: string): { times: number[]; columns: (number | null)[][] } {
    let start = 0;
    while (start < this.times.length && this.times[start]! < now - seconds) start++;
    return {
      times: this.times.slice(start),
      columns: this.names(first).map((name) => this.values.get(name)!.slice(start)),
    };
  }
}

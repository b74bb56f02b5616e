// One live chart: a uPlot line chart over a RollingSeries, redrawn after each scrape. The element
// carries data-samples (points in the window) and data-last (the newest value of its first series)
// so a test can watch it move without reading pixels.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";
import { RollingSeries } from "./series";

const KEEP_SECONDS = 900; // the longest window offered
const PALETTE = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#374151"];

export class LiveChart {
  readonly element: HTMLElement;
  private readonly plotArea: HTMLElement;
  private readonly series = new RollingSeries(KEEP_SECONDS);
  private plot: uPlot | null = null;
  private plotted: string[] = [];

  constructor(
    testid: string,
    private readonly title: string,
    private readonly unit: string,
    private readonly first?: string, // the series that leads (and that data-last reports)
  ) {
    const headingId = `${testid}-title`;
    this.plotArea = h("div", { class: "plot" });
    this.element = h(
      "figure",
      { class: "chart", "data-testid": testid, "data-samples": "0", "data-last": "0", "aria-labelledby": headingId },
      h("figcaption", { id: headingId }, `${title} (${unit})`),
      this.plotArea,
    );
  }

  push(at: number, point: Map<string, number>): void {
    this.series.push(at, point);
  }

  draw(windowSeconds: number, now: number): void {
    const names = this.series.names(this.first);
    const { times, columns } = this.series.window(windowSeconds, now, this.first);
    this.element.dataset.samples = String(times.length);
    this.element.dataset.last = String(lastValue(columns[0]));
    const data = [times, ...columns] as uPlot.AlignedData;
    const width = Math.max(320, this.plotArea.clientWidth || 600);
    if (!this.plot || names.join("\n") !== this.plotted.join("\n")) {
      this.plot?.destroy();
      this.plotted = names;
      this.plot = new uPlot(
        {
          width,
          height: 220,
          scales: { x: { time: true, range: () => [now - windowSeconds, now] } },
          axes: [{}, { label: this.unit, size: 60 }],
          series: [{}, ...names.map((name, i) => ({ label: name || this.title, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false }))],
        },
        data,
        this.plotArea,
      );
    } else {
      if (this.plot.width !== width) this.plot.setSize({ width, height: 220 });
      this.plot.setScale("x", { min: now - windowSeconds, max: now });
      this.plot.setData(data, false);
      this.plot.setScale("x", { min: now - windowSeconds, max: now });
    }
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}

function lastValue(column: (number | null)[] | undefined): number {
  if (!column) return 0;
  for (let i = column.length - 1; i >= 0; i--) {
    const value = column[i];
    if (value !== null && value !== undefined) return value;
  }
  return 0;
}

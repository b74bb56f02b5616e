// #/charts: /metrics scraped every 2 s; rates and percentiles come from the difference between two
// consecutive scrapes (src/metrics_math.ts), so they describe the last 2 s, not the process' life.
import type { PageRender } from "../context";
import { h } from "../dom";
import { LiveChart } from "../chart";
import { counterRates, deltaQuantiles, gaugeMax, type Scrape } from "../metrics_math";
import { parsePrometheus } from "../prometheus";

const SCRAPE_MS = 2000;
const ALL = "all"; // the aggregate series, first in each chart: what data-last reports
const PERCENTILES: [string, number][] = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p99", 0.99],
];

export const renderCharts: PageRender = (root, ctx) => {
  const windowSelect = h(
    "select",
    { id: "chart-window", "data-testid": "chart-window" },
    h("option", { value: "60" }, "Last minute"),
    h("option", { value: "300", selected: true }, "Last 5 minutes"),
    h("option", { value: "900" }, "Last 15 minutes"),
  );
  const status = h("p", { class: "muted", "data-testid": "scrape-status" }, `Scraping /metrics every ${SCRAPE_MS / 1000} s…`);
  const requestRate = new LiveChart("chart-request-rate", "Request rate by route", "req/s", ALL);
  const latency = new LiveChart("chart-latency", "Latency percentiles by route", "ms", `${ALL} p99`);
  const outboxLag = new LiveChart("chart-outbox-lag", "Outbox lag", "seconds");
  const deliveries = new LiveChart("chart-deliveries", "Notification deliveries by outcome", "per s", ALL);
  const charts = [requestRate, latency, outboxLag, deliveries];

  root.append(
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "chart-window" }, "Time window"),
      windowSelect,
      status,
    ),
    h("div", { class: "charts" }, ...charts.map((c) => c.element)),
  );

  let previous: Scrape | null = null;
  let lastAt = Date.now() / 1000;
  const draw = () => {
    for (const chart of charts) chart.draw(Number(windowSelect.value), lastAt);
  };
  const scrape = async () => {
    try {
      const samples = parsePrometheus(await ctx.api.text("/metrics"));
      if (!ctx.active()) return;
      const current: Scrape = { at: Date.now() / 1000, samples };
      const lag = gaugeMax(samples, "outbox_lag_seconds");
      outboxLag.push(current.at, new Map(lag === null ? [] : [["lag", lag]]));
      if (previous) {
        requestRate.push(current.at, withTotal(previous, current, "http_requests_total", "route"));
        latency.push(current.at, percentiles(previous, current));
        deliveries.push(current.at, withTotal(previous, current, "notifications_total", "outcome"));
      }
      previous = current;
      lastAt = current.at;
      status.textContent = `Scraping /metrics every ${SCRAPE_MS / 1000} s; last scrape ${new Date().toLocaleTimeString()}.`;
      draw();
    } catch (error) {
      ctx.fail(error);
    }
  };
  windowSelect.addEventListener("change", draw);
  const timer = window.setInterval(() => void scrape(), SCRAPE_MS);
  ctx.onLeave(() => {
    clearInterval(timer);
    for (const chart of charts) chart.destroy();
  });
  return scrape();
};

// Rates per value of `label`, and their sum as ALL.
function withTotal(previous: Scrape, current: Scrape, name: string, label: string): Map<string, number> {
  const point = counterRates(previous, current, name, [label]);
  const total = counterRates(previous, current, name, []).get("");
  if (total !== undefined) point.set(ALL, total);
  return point;
}

// "<route> p50" … in milliseconds for each route with requests since the last scrape, and the same over all routes.
function percentiles(previous: Scrape, current: Scrape): Map<string, number> {
  const qs = PERCENTILES.map(([, q]) => q);
  const point = new Map<string, number>();
  const add = (quantiles: Map<string, number[]>, name: (key: string) => string) => {
    for (const [key, values] of quantiles) {
      PERCENTILES.forEach(([label], i) => point.set(`${name(key)} ${label}`, values[i]! * 1000));
    }
  };
  add(deltaQuantiles(previous, current, "http_request_duration_seconds", ["route"], qs), (route) => route);
  add(deltaQuantiles(previous, current, "http_request_duration_seconds", [], qs), () => ALL);
  return point;
}

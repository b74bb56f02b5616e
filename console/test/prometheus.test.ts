import { describe, expect, it } from "vitest";
import { parsePrometheus } from "../src/prometheus";

describe("parsePrometheus", () => {
  it("reads names, labels and values and skips comments", () => {
    const text = [
      "# HELP http_requests_total Requests",
      "# TYPE http_requests_total counter",
      'http_requests_total{route="/v1/users",method="GET",status="200"} 42',
      "outbox_lag_seconds 0.25",
      "",
    ].join("\n");
    expect(parsePrometheus(text)).toEqual([
      { name: "http_requests_total", labels: { route: "/v1/users", method: "GET", status: "200" }, value: 42 },
      { name: "outbox_lag_seconds", labels: {}, value: 0.25 },
    ]);
  });

  it("unescapes label values and reads special values and timestamps", () => {
    const [a, b, c] = parsePrometheus(
      'x{a="q\\"uote",b="back\\\\slash",c="new\\nline"} +Inf 1700000000000\ny{le="+Inf"} NaN\nz -Inf',
    );
    expect(a).toEqual({ name: "x", labels: { a: 'q"uote', b: "back\\slash", c: "new\nline" }, value: Infinity });
    expect(b!.labels.le).toBe("+Inf");
    expect(Number.isNaN(b!.value)).toBe(true);
    expect(c!.value).toBe(-Infinity);
  });

  it("accepts a trailing comma, spaces and CRLF", () => {
    expect(parsePrometheus('m{ a="1", } 3\r\n')).toEqual([{ name: "m", labels: { a: "1" }, value: 3 }]);
  });

  it("skips malformed lines and keeps the rest", () => {
    const samples = parsePrometheus('bad{a=1} 2\nunterminated{a="x 1\nnovalue\nok 7\nnum abc');
    expect(samples).toEqual([{ name: "ok", labels: {}, value: 7 }]);
  });
});

-- wrk script fragment: at the end of a run, print one machine-readable line
--   WRK_JSON {...}
-- with the request count, duration, latency percentiles (microseconds) and error counts.
-- Used on its own for the GET scenarios and loaded by post_order.lua for POST.
--   wrk -t2 -c64 -d10s --latency -s bench/wrk_report.lua http://127.0.0.1:8080/v1/orders/ID

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"latency_us":{"min":%.0f,"mean":%.2f,"stdev":%.2f,"max":%.0f,' ..
    '"p50":%.0f,"p90":%.0f,"p99":%.0f,"p99_9":%.0f},' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"status":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9),
    e.connect, e.read, e.write, e.timeout, e.status))
end

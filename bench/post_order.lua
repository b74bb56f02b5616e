-- wrk script: POST /v1/orders with a JSON order body (one new order per request).
--
--   wrk -t2 -c64 -d10s --latency -s bench/post_order.lua http://HOST:PORT/v1/orders -- USER_ID
--   wrk ... -s bench/post_order.lua http://HOST:PORT/v1/orders -- '{"user_id":"...","items":[...]}'
--
-- The argument after `--` is either a user id (the default 3-item body below is built around it) or a
-- complete JSON body (bench/run passes the exact body it used to create its reference order, so the
-- service and the nginx baseline get byte-identical requests). Prints WRK_JSON via wrk_report.lua.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "wrk_report.lua")

function init(args)
  local arg = args[1]
  if arg == nil or arg == "" then
    error("post_order.lua: pass a USER_ID or a JSON body after --")
  end
  local body
  if arg:sub(1, 1) == "{" then
    body = arg
  else
    body = '{"user_id":"' .. arg .. '","items":[' ..
           '{"sku":"BENCH-1","quantity":2,"unit_price":1999},' ..
           '{"sku":"BENCH-2","quantity":1,"unit_price":4500},' ..
           '{"sku":"BENCH-3","quantity":5,"unit_price":250}],' ..
           '"currency":"USD","note":"bench"}'
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = body
end

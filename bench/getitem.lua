-- wrk script: DynamoDB GetItem straight to moto_server (the baseline of the AWS cost bench).
--
--   wrk -t2 -c64 -d10s --latency -s bench/getitem.lua http://127.0.0.1:MOTO_PORT/ -- '<GetItem JSON body>' '<Authorization>'
--
-- The first argument after `--` is the exact JSON body the service sends for GET /v1/orders/{id} (table,
-- key, ConsistentRead), so both sides ask moto the same question. The second is an Authorization header:
-- moto checks no signature but routes by the service named in its credential scope (without one it
-- answers as S3) and takes the account from its access key. Prints WRK_JSON via wrk_report.lua.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "wrk_report.lua")

function init(args)
  local body = args[1]
  if body == nil or body:sub(1, 1) ~= "{" or args[2] == nil then
    error("getitem.lua: pass the GetItem JSON body and an Authorization header after --")
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
  wrk.headers["Authorization"] = args[2]
  wrk.body = body
end

-- wrk script for bench/gaia_bench.sh: every request writes a fresh path (cycling
-- over 1,000 per thread), or reads one file. Environment: BENCH_METHOD (POST, PUT,
-- GET), BENCH_PREFIX (path prefix), BENCH_AUTH (Authorization value or ""),
-- BENCH_SIZE (body bytes for writes).
local method = os.getenv("BENCH_METHOD")
local prefix = os.getenv("BENCH_PREFIX")
local auth = os.getenv("BENCH_AUTH") or ""
local size = tonumber(os.getenv("BENCH_SIZE") or "0")
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  counter = 0
  body = string.rep("x", size)
  headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  headers["Content-Type"] = "application/octet-stream"
end

function request()
  if method == "GET" then
    return wrk.format("GET", prefix, headers)
  end
  counter = counter + 1
  return wrk.format(method, prefix .. id .. "-" .. (counter % 1000), headers, body)
end

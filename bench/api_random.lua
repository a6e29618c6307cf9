-- wrk script for bench/api_bench.sh: GET /v1/names/{name} for random names among
-- API_BENCH_NAMES ("n0.bench" ... ).
local names = tonumber(os.getenv("API_BENCH_NAMES") or "1000000")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  return wrk.format("GET", "/v1/names/n" .. math.random(0, names - 1) .. ".bench")
end

-- wrk script for bench/explorer_bench.sh: GET /explorer/names/{name} for random
-- names among the first EXPLORER_BENCH_PAGES ("n0.bench" ... ).
local pages = tonumber(os.getenv("EXPLORER_BENCH_PAGES") or "10000")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  return wrk.format("GET", "/explorer/names/n" .. math.random(0, pages - 1) .. ".bench")
end

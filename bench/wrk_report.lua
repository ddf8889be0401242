-- wrk script of bench/harness/net.py for every round.
--
-- Counts every status outside 200-299 (wrk's own count starts at 400) and prints one
-- machine-readable line at the end: BENCH_WRK_JSON {...}, latencies in microseconds.
-- With BENCH_PATHS set to a file of paths, one a line, each request takes one at random.

local threads = {}
local file = os.getenv("BENCH_PATHS")

if file and file ~= "" then
  local paths = {}
  for line in io.lines(file) do paths[#paths + 1] = line end
  function request()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end

function setup(thread)
  -- Each thread has its own Lua state: keep a handle to read its counter in done().
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
  math.randomseed(os.time() * 100 + id)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do
    not_ok = not_ok + (thread:get("non_2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "non_2xx": %.0f, '
      .. '"socket_errors": %.0f, "p50_us": %.0f, "p99_us": %.0f}\n',
    summary.requests, summary.duration, summary.bytes, not_ok,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)
  ))
end

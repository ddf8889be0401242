-- wrk script used by bench/harness.py for every round.
--
-- wrk's own "Non-2xx or 3xx responses" line only counts statuses of 400 and up, and its
-- text output is awkward to parse, so this script counts every status outside 200-299
-- itself and prints one machine-readable line at the end:
--   BENCH_WRK_JSON {...}
-- Latencies are in microseconds, as wrk measures them.

local threads = {}

function setup(thread)
  -- Each wrk thread has its own Lua state: keep a handle to read its counter in done().
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
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
  local errors = summary.errors
  io.write(string.format(
    'BENCH_WRK_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, '
      .. '"non_2xx": %.0f, "connect_errors": %.0f, "read_errors": %.0f, '
      .. '"write_errors": %.0f, "timeouts": %.0f, "latency_mean_us": %.1f, '
      .. '"latency_max_us": %.0f, "p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    not_ok, errors.connect, errors.read, errors.write, errors.timeout,
    latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)
  ))
end

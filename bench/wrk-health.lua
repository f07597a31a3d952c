-- wrk script for bench/serve.ts: the health poller. One connection GETs the URL (/v2/health/ready), waits
-- DELAY_MS after each answer, and, when wrk stops (its duration, or SIGINT), prints the results as JSON.
--   wrk -t1 -c1 -dS --timeout 30s -s bench/wrk-health.lua URL -- DELAY_MS
-- A C process of its own, so the bench's Node process sleeps while it measures. wrk times a request from
-- the moment it is written (after the delay), so the delay is not counted in the latency.

local pause

function init(args)
  pause = tonumber(args[1])
end

function delay()
  return pause
end

-- Same line as bench/wrk-post.lua's: wrk's report, then the latency histogram (µs value, count).
function done(summary, latency, requests)
  local e = summary.errors
  local hist = {}
  for i = 1, #latency do
    local us, n = latency(i)
    hist[#hist + 1] = string.format('[%d,%d]', us, n)
  end
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyUs":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(hist, ',')))
end

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

-- done(): the shared WRK_JSON report, from the file beside this one.
dofile(debug.getinfo(1, 'S').source:match('^@(.*/)') .. 'wrk-report.lua')

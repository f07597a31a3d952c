-- The result line bench/wrk-post.lua and bench/wrk-health.lua print when wrk is done: one JSON line after
-- wrk's own report. The latency histogram goes out whole (µs value, count for each value that occurred), so
-- the bench can merge rounds and take percentiles of the merged samples. Loaded by both with dofile.
function done(summary, latency, requests)
  local e = summary.errors
  local hist = {}
  -- wrk 4: #latency is the number of distinct values, latency(i) the i-th one and its count.
  for i = 1, #latency do
    local us, n = latency(i)
    hist[#hist + 1] = string.format('[%d,%d]', us, n)
  end
  io.write(string.format(
    '\nWRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyUs":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(hist, ',')))
end

-- wrk script for bench/serve.ts: POSTs one fixed body and, when done, prints the results as JSON.
--   wrk -t1 -cN -dS --timeout 30s -s bench/wrk-post.lua URL -- BODY_FILE INFERENCE_HEADER_LENGTH
-- The body (a KServe v2 binary-extension request) is read once per thread, and the request is formatted
-- once: per-request Lua would cost the CPU this bench tries not to take from the server.

local req

function init(args)
  local file = assert(io.open(args[1], 'rb'))
  local body = file:read('*a')
  file:close()
  wrk.method = 'POST'
  wrk.body = body
  wrk.headers['Content-Type'] = 'application/octet-stream'
  wrk.headers['Inference-Header-Content-Length'] = args[2]
  req = wrk.format()
end

function request()
  return req
end

-- One JSON line after wrk's own report. The latency histogram goes out whole (µs value, count for each value
-- that occurred), so the bench can merge rounds and take percentiles of the merged samples.
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

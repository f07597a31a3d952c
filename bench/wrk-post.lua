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

-- done(): the shared WRK_JSON report, from the file beside this one.
dofile(debug.getinfo(1, 'S').source:match('^@(.*/)') .. 'wrk-report.lua')

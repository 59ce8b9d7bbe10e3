-- wrk script for bench/run_http_bench.sh: POST /v1/commands with a new, accepted command each
-- time (RegisterUser of a fresh user), so every request is a durable append, never a duplicate.
-- Arguments after `--`: TOKEN RUN (RUN keeps the ids of repeated runs apart).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  token = args[1]
  run = args[2] or "r"
  n = 0
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
end

function request()
  n = n + 1
  local user = "b" .. run .. "t" .. tid .. "n" .. n
  local body = '{"type":"RegisterUser","actor":"svc:signup","user":"' .. user .. '","login":"' .. user .. '@bench.ch"}'
  return wrk.format("POST", "/v1/commands", headers, body)
end

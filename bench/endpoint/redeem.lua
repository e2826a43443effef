-- wrk script: every request redeems the cheapest reward once, under its own
-- Idempotency-Key (thread number and counter), so each one is a real write.
-- The token comes from the TOKEN environment variable.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), thread_id, counter),
  }
  return wrk.format("POST", "/v1/redemptions", headers, '{"reward_id":"r-shipping"}')
end

function done(summary, latency, requests)
  -- nothing: wrk prints the latency distribution with --latency
end

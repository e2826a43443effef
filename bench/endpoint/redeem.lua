-- wrk script: every request redeems the cheapest reward once, under its own
-- Idempotency-Key (thread number and counter), so each one is a real write.
-- The customers take turns: one token per line in the file named by TOKENS
-- (as many shoppers redeem, each with a ledger of their own).
local counter = 0
local thread_id = 0
local threads = {}
local tokens = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  for line in io.lines(os.getenv("TOKENS")) do
    table.insert(tokens, line)
  end
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. tokens[(counter + thread_id) % #tokens + 1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), thread_id, counter),
  }
  return wrk.format("POST", "/v1/redemptions", headers, '{"reward_id":"r-shipping"}')
end

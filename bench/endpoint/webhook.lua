-- wrk script: every request delivers a different Shopify `orders/paid`
-- webhook, signed as Shopify signs it, so each one records a new order (a
-- real write: customer, ledger entry, order). The bodies and signatures
-- are made ahead by scripts/bench-endpoint.sh (wrk's Lua has no HMAC):
-- one "signature<TAB>body" line each, in the file named by BODIES; each
-- wrk thread takes every other line.
local lines = {}
local next_line = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("BODIES")) do
    if n % 2 == id then
      table.insert(lines, line)
    end
    n = n + 1
  end
end

function request()
  next_line = next_line % #lines + 1
  local line = lines[next_line]
  local tab = string.find(line, "\t", 1, true)
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = "orders/paid",
    ["X-Shopify-Hmac-Sha256"] = string.sub(line, 1, tab - 1),
  }
  return wrk.format("POST", "/webhooks/shopify", headers, string.sub(line, tab + 1))
end

-- Every order the shop has seen, member or not, live or imported: what the
-- console's figures (GET /admin/v1/analytics) are read from. `orders` stays
-- the record of points (one row per member order, with its ledger entry);
-- `sales` is the record of money and time, so that members and
-- non-members can be compared and past years brought in without points.
--   id            the shop's order id (equal to orders.id for a member's
--                 live order, which writes both)
--   customer_key  a member's customer id; for a non-member the platform's
--                 customer id, `email:<sha256 of the trimmed lower-case
--                 address>`, or `order:<id>` when neither is known
--   member        1 when the order was a member's when recorded
--   placed_at     RFC 3339 UTC, always `YYYY-MM-DDTHH:MM:SSZ`, so that
--                 text order is time order and its first ten characters
--                 are the UTC day
--   source        `live` (admin API, webhooks) or `import` (history)
-- A refund lowers the sale's revenue (refunded_minor, never above the
-- total). Existing orders are brought over, placed at 00:00Z of the day
-- they were paid (the only time they have).
CREATE TABLE IF NOT EXISTS sales (
  id TEXT PRIMARY KEY, customer_key TEXT NOT NULL, member BIGINT NOT NULL,
  total_minor BIGINT NOT NULL, refunded_minor BIGINT NOT NULL DEFAULT 0,
  placed_at TEXT NOT NULL, source TEXT NOT NULL);
INSERT INTO sales (id, customer_key, member, total_minor, refunded_minor, placed_at, source)
  SELECT id, customer_id, 1, total_minor, refunded_minor, paid_on || 'T00:00:00Z', 'live'
  FROM orders;
-- Refunds of non-members' sales, recorded once per refund id (a member's
-- refund is in `refunds`, which points at `orders`).
CREATE TABLE IF NOT EXISTS sale_refunds (
  id TEXT PRIMARY KEY, sale_id TEXT NOT NULL REFERENCES sales(id),
  amount_minor BIGINT NOT NULL);
-- The figures' aggregates: a period's sales, a customer's sales in time
-- order, the ledger's sums over a period, redemptions and sign-ups by day.
CREATE INDEX IF NOT EXISTS sales_by_placed ON sales (placed_at, customer_key, member, total_minor, refunded_minor);
CREATE INDEX IF NOT EXISTS sales_by_customer ON sales (customer_key, placed_at);
CREATE INDEX IF NOT EXISTS ledger_by_booked ON ledger (booked_on, kind, points, customer_id);
CREATE INDEX IF NOT EXISTS redemptions_by_created ON redemptions (created_at);
CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created_on);

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
-- Sums kept by triggers as rows are written (derived data, like
-- `balances`: the console's figures read them instead of whole histories;
-- tests/analytics.rs checks them against a computation from the rows):
--   sales_daily     orders and revenue per UTC day and member flag
--   customer_sales  per customer key and flag (0 non-member's orders,
--                   1 member's, 2 either): orders, revenue, first and last
--                   instant, and (flag 1) the days of the orders, comma
--                   separated
--   ledger_daily    per booked day: points issued (positive entries but
--                   releases), redeemed, expired, and the day's total
--   customer_points per customer: every entry's points, and the points
--                   that count towards lifetime points (all but
--                   redemptions, expiries and releases)
CREATE TABLE IF NOT EXISTS sales_daily (
  day TEXT NOT NULL, member BIGINT NOT NULL, orders BIGINT NOT NULL, revenue BIGINT NOT NULL,
  PRIMARY KEY (day, member));
CREATE TABLE IF NOT EXISTS customer_sales (
  customer_key TEXT NOT NULL, member BIGINT NOT NULL, orders BIGINT NOT NULL,
  revenue BIGINT NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL, days TEXT NOT NULL,
  PRIMARY KEY (customer_key, member));
CREATE INDEX IF NOT EXISTS customer_sales_by_first ON customer_sales (member, first_at);
CREATE TABLE IF NOT EXISTS ledger_daily (
  day TEXT PRIMARY KEY, issued BIGINT NOT NULL, redeemed BIGINT NOT NULL,
  expired BIGINT NOT NULL, total BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS customer_points (
  customer_id TEXT PRIMARY KEY, points BIGINT NOT NULL, lifetime BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION sales_sums() RETURNS trigger AS $$
BEGIN
  INSERT INTO sales_daily AS d (day, member, orders, revenue)
    VALUES (substr(NEW.placed_at, 1, 10), NEW.member, 1, NEW.total_minor - NEW.refunded_minor)
    ON CONFLICT (day, member) DO UPDATE SET orders = d.orders + 1, revenue = d.revenue + excluded.revenue;
  INSERT INTO customer_sales AS c (customer_key, member, orders, revenue, first_at, last_at, days)
    VALUES (NEW.customer_key, NEW.member, 1, NEW.total_minor - NEW.refunded_minor,
            NEW.placed_at, NEW.placed_at,
            CASE WHEN NEW.member = 1 THEN substr(NEW.placed_at, 1, 10) ELSE '' END)
    ON CONFLICT (customer_key, member) DO UPDATE SET orders = c.orders + 1,
      revenue = c.revenue + excluded.revenue, first_at = LEAST(c.first_at, excluded.first_at),
      last_at = GREATEST(c.last_at, excluded.last_at),
      days = CASE WHEN excluded.days = '' THEN c.days ELSE c.days || ',' || excluded.days END;
  INSERT INTO customer_sales AS c (customer_key, member, orders, revenue, first_at, last_at, days)
    VALUES (NEW.customer_key, 2, 1, NEW.total_minor - NEW.refunded_minor,
            NEW.placed_at, NEW.placed_at, '')
    ON CONFLICT (customer_key, member) DO UPDATE SET orders = c.orders + 1,
      revenue = c.revenue + excluded.revenue, first_at = LEAST(c.first_at, excluded.first_at),
      last_at = GREATEST(c.last_at, excluded.last_at);
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER sales_sums AFTER INSERT ON sales
  FOR EACH ROW EXECUTE FUNCTION sales_sums();
CREATE OR REPLACE FUNCTION sales_refund_sums() RETURNS trigger AS $$
BEGIN
  UPDATE sales_daily SET revenue = revenue - (NEW.refunded_minor - OLD.refunded_minor)
    WHERE day = substr(NEW.placed_at, 1, 10) AND member = NEW.member;
  UPDATE customer_sales SET revenue = revenue - (NEW.refunded_minor - OLD.refunded_minor)
    WHERE customer_key = NEW.customer_key AND member IN (NEW.member, 2);
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER sales_refund_sums AFTER UPDATE OF refunded_minor ON sales
  FOR EACH ROW EXECUTE FUNCTION sales_refund_sums();
CREATE OR REPLACE FUNCTION ledger_sums() RETURNS trigger AS $$
BEGIN
  INSERT INTO ledger_daily AS d (day, issued, redeemed, expired, total)
    VALUES (NEW.booked_on,
            CASE WHEN NEW.points > 0 AND NEW.kind <> 'release' THEN NEW.points ELSE 0 END,
            CASE WHEN NEW.kind = 'redemption' THEN -NEW.points ELSE 0 END,
            CASE WHEN NEW.kind = 'expiry' THEN -NEW.points ELSE 0 END,
            NEW.points)
    ON CONFLICT (day) DO UPDATE SET issued = d.issued + excluded.issued,
      redeemed = d.redeemed + excluded.redeemed, expired = d.expired + excluded.expired,
      total = d.total + excluded.total;
  INSERT INTO customer_points AS p (customer_id, points, lifetime)
    VALUES (NEW.customer_id, NEW.points,
            CASE WHEN NEW.kind IN ('redemption', 'expiry', 'release') THEN 0 ELSE NEW.points END)
    ON CONFLICT (customer_id) DO UPDATE SET points = p.points + excluded.points,
      lifetime = p.lifetime + excluded.lifetime;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER ledger_sums AFTER INSERT ON ledger
  FOR EACH ROW EXECUTE FUNCTION ledger_sums();
INSERT INTO ledger_daily (day, issued, redeemed, expired, total)
  SELECT booked_on,
    SUM(CASE WHEN points > 0 AND kind <> 'release' THEN points ELSE 0 END),
    SUM(CASE WHEN kind = 'redemption' THEN -points ELSE 0 END),
    SUM(CASE WHEN kind = 'expiry' THEN -points ELSE 0 END), SUM(points)
  FROM ledger GROUP BY booked_on;
INSERT INTO customer_points (customer_id, points, lifetime)
  SELECT customer_id, SUM(points),
    SUM(CASE WHEN kind IN ('redemption', 'expiry', 'release') THEN 0 ELSE points END)
  FROM ledger GROUP BY customer_id;
-- Orders from before this migration (the trigger sums them).
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
CREATE INDEX IF NOT EXISTS customers_by_state_created ON customers (state, created_on);

-- The console's figures at a large shop's size, kept per member
-- (GET /admin/v1/analytics): one row per customer but the sample one
-- (state `preview`), kept by triggers in the same transaction as each
-- write to `customers`, `ledger` and `sales` (derived data, like
-- `customer_points`; tests/analytics.rs checks the figures read from it
-- against a computation from the rows), so that a figure over the members
-- at a day reads one narrow row per member instead of joining three tables:
--   joined_on   the day they joined (customers.created_on)
--   left_on     the day they stopped being a member: the day of their
--               erasure (`erased_at`), so that an erasure leaves the days
--               before it as they were; NULL while a member; their
--               joining day for any other state (never a member)
--   points      every ledger entry's points
--   lifetime    the points that count towards lifetime points (all but
--               redemptions, expiries and releases)
--   revenue     their member orders' totals less refunds
--   orders      how many member orders
--   last_at     their last member order's instant (NULL without one)
--   gap         the median of the days between their member orders (the
--               two middle ones' mean, rounded down), 60 with one order:
--               their usual gap
--   risk_on     the first day they count as at risk: the day after twice
--               their usual gap from their last order's day (NULL without
--               an order)
-- A member is one on day D when joined_on <= D and (left_on IS NULL or
-- D < left_on).
CREATE TABLE IF NOT EXISTS member_state (
  customer_id TEXT PRIMARY KEY, joined_on TEXT NOT NULL, left_on TEXT,
  points BIGINT NOT NULL, lifetime BIGINT NOT NULL, revenue BIGINT NOT NULL,
  orders BIGINT NOT NULL, last_at TEXT, gap BIGINT NOT NULL, risk_on TEXT);
-- The rows of members there before this migration.
INSERT INTO member_state (customer_id, joined_on, left_on, points, lifetime, revenue, orders,
                          last_at, gap, risk_on)
  SELECT c.id, c.created_on,
    CASE WHEN c.state = 'member' THEN NULL
         WHEN c.state = 'erased' AND c.erased_at IS NOT NULL THEN substr(c.erased_at, 1, 10)
         ELSE c.created_on END,
    COALESCE(p.points, 0), COALESCE(p.lifetime, 0), COALESCE(s.revenue, 0),
    COALESCE(s.orders, 0), s.last_at, 60, NULL
  FROM customers c LEFT JOIN customer_points p ON p.customer_id = c.id
    LEFT JOIN customer_sales s ON s.customer_key = c.id AND s.member = 1
  WHERE c.state <> 'preview';
UPDATE member_state SET gap = (
  SELECT CASE WHEN COUNT(*) = 0 THEN 60 ELSE CAST(SUM(g) AS INTEGER) / COUNT(*) END
  FROM (SELECT g, ROW_NUMBER() OVER (ORDER BY g) AS r, COUNT(*) OVER () AS n
        FROM (SELECT d - LAG(d) OVER (ORDER BY d) AS g
              FROM (SELECT CAST(julianday(substr(placed_at, 1, 10)) AS INTEGER) AS d
                    FROM sales WHERE customer_key = member_state.customer_id AND member = 1))
        WHERE g IS NOT NULL)
  WHERE r IN ((n + 1) / 2, n / 2 + 1))
  WHERE orders > 1;
UPDATE member_state SET risk_on = date(substr(last_at, 1, 10), '+' || (2 * gap + 1) || ' days')
  WHERE last_at IS NOT NULL;
CREATE TRIGGER IF NOT EXISTS member_state_joined AFTER INSERT ON customers
WHEN NEW.state <> 'preview' BEGIN
  INSERT INTO member_state (customer_id, joined_on, left_on, points, lifetime, revenue, orders,
                            last_at, gap, risk_on)
    VALUES (NEW.id, NEW.created_on,
      CASE WHEN NEW.state = 'member' THEN NULL
           WHEN NEW.state = 'erased' AND NEW.erased_at IS NOT NULL THEN substr(NEW.erased_at, 1, 10)
           ELSE NEW.created_on END,
      COALESCE((SELECT SUM(points) FROM ledger WHERE customer_id = NEW.id), 0),
      COALESCE((SELECT SUM(points) FROM ledger WHERE customer_id = NEW.id
                  AND kind NOT IN ('redemption', 'expiry', 'release')), 0),
      COALESCE((SELECT SUM(total_minor - refunded_minor) FROM sales
                  WHERE customer_key = NEW.id AND member = 1), 0),
      (SELECT COUNT(*) FROM sales WHERE customer_key = NEW.id AND member = 1),
      (SELECT MAX(placed_at) FROM sales WHERE customer_key = NEW.id AND member = 1),
      60, NULL);
  UPDATE member_state SET gap = (
    SELECT CASE WHEN COUNT(*) = 0 THEN 60 ELSE CAST(SUM(g) AS INTEGER) / COUNT(*) END
    FROM (SELECT g, ROW_NUMBER() OVER (ORDER BY g) AS r, COUNT(*) OVER () AS n
          FROM (SELECT d - LAG(d) OVER (ORDER BY d) AS g
                FROM (SELECT CAST(julianday(substr(placed_at, 1, 10)) AS INTEGER) AS d
                      FROM sales WHERE customer_key = NEW.id AND member = 1))
          WHERE g IS NOT NULL)
    WHERE r IN ((n + 1) / 2, n / 2 + 1))
    WHERE customer_id = NEW.id AND orders > 1;
  UPDATE member_state SET risk_on = date(substr(last_at, 1, 10), '+' || (2 * gap + 1) || ' days')
    WHERE customer_id = NEW.id AND last_at IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS member_state_changed AFTER UPDATE OF state, erased_at, created_on
ON customers BEGIN
  UPDATE member_state SET joined_on = NEW.created_on,
    left_on = CASE WHEN NEW.state = 'member' THEN NULL
                   WHEN NEW.state = 'erased' AND NEW.erased_at IS NOT NULL
                     THEN substr(NEW.erased_at, 1, 10)
                   ELSE NEW.created_on END
    WHERE customer_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS member_state_removed AFTER DELETE ON customers BEGIN
  DELETE FROM member_state WHERE customer_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS member_state_points AFTER INSERT ON ledger BEGIN
  UPDATE member_state SET points = points + NEW.points,
    lifetime = lifetime + CASE WHEN NEW.kind IN ('redemption', 'expiry', 'release') THEN 0
                               ELSE NEW.points END
    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER IF NOT EXISTS member_state_order AFTER INSERT ON sales
WHEN NEW.member = 1 BEGIN
  UPDATE member_state SET orders = orders + 1,
    revenue = revenue + NEW.total_minor - NEW.refunded_minor,
    last_at = CASE WHEN last_at IS NULL OR NEW.placed_at > last_at THEN NEW.placed_at
                   ELSE last_at END
    WHERE customer_id = NEW.customer_key;
  UPDATE member_state SET gap = (
    SELECT CASE WHEN COUNT(*) = 0 THEN 60 ELSE CAST(SUM(g) AS INTEGER) / COUNT(*) END
    FROM (SELECT g, ROW_NUMBER() OVER (ORDER BY g) AS r, COUNT(*) OVER () AS n
          FROM (SELECT d - LAG(d) OVER (ORDER BY d) AS g
                FROM (SELECT CAST(julianday(substr(placed_at, 1, 10)) AS INTEGER) AS d
                      FROM sales WHERE customer_key = NEW.customer_key AND member = 1))
          WHERE g IS NOT NULL)
    WHERE r IN ((n + 1) / 2, n / 2 + 1))
    WHERE customer_id = NEW.customer_key;
  UPDATE member_state SET risk_on = date(substr(last_at, 1, 10), '+' || (2 * gap + 1) || ' days')
    WHERE customer_id = NEW.customer_key;
END;
CREATE TRIGGER IF NOT EXISTS member_state_refund AFTER UPDATE OF refunded_minor ON sales
WHEN NEW.member = 1 BEGIN
  UPDATE member_state SET revenue = revenue - (NEW.refunded_minor - OLD.refunded_minor)
    WHERE customer_id = NEW.customer_key;
END;

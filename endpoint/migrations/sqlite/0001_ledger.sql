-- The schema as the endpoint made it before migrations were versioned
-- (every statement a no-op on such a database, so it migrates in place).
-- Integers are 64-bit; flags are 0 or 1.
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tiers (
  id TEXT PRIMARY KEY, threshold BIGINT NOT NULL,
  name_en TEXT NOT NULL, name_de TEXT NOT NULL,
  perks_en TEXT NOT NULL, perks_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS earning (
  position BIGINT PRIMARY KEY, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_en TEXT NOT NULL, points_de TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rewards (
  id TEXT PRIMARY KEY, position BIGINT NOT NULL, kind TEXT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  points_price BIGINT NOT NULL, min_tier_id TEXT REFERENCES tiers(id),
  active BIGINT NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS offers (
  id TEXT PRIMARY KEY, position BIGINT NOT NULL,
  title_en TEXT NOT NULL, title_de TEXT NOT NULL,
  desc_en TEXT NOT NULL, desc_de TEXT NOT NULL,
  min_tier_id TEXT REFERENCES tiers(id), members_only BIGINT NOT NULL,
  ends_at TEXT, code TEXT, cta_url TEXT);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY, first_name TEXT, email TEXT, birthday TEXT, state TEXT NOT NULL,
  referral_code TEXT UNIQUE, referred_by TEXT REFERENCES customers(id),
  friends_joined BIGINT NOT NULL DEFAULT 0,
  club_member BIGINT NOT NULL DEFAULT 0, club_joined_at TEXT, club_consent_at TEXT,
  created_on TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS customers_by_code ON customers (lower(referral_code));
CREATE TABLE IF NOT EXISTS redemptions (
  id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  reward_id TEXT NOT NULL REFERENCES rewards(id), points_spent BIGINT NOT NULL,
  code TEXT NOT NULL UNIQUE, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  customer_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
  status BIGINT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (customer_id, key));

-- The points ledger: every change of points, never changed or deleted.
CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL, points BIGINT NOT NULL,
  booked_on TEXT NOT NULL, available_on TEXT NOT NULL, expires_on TEXT,
  lot BIGINT REFERENCES ledger(id), amount_minor BIGINT NOT NULL DEFAULT 0, order_id TEXT,
  reason TEXT NOT NULL, label_en TEXT NOT NULL, label_de TEXT NOT NULL, code TEXT);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
CREATE INDEX IF NOT EXISTS ledger_by_customer ON ledger (customer_id, id);

-- Orders and refunds, which point at the ledger.
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
  total_minor BIGINT NOT NULL, points BIGINT NOT NULL,
  entry_id BIGINT NOT NULL REFERENCES ledger(id), available_on TEXT NOT NULL,
  number TEXT NOT NULL, paid_on TEXT NOT NULL, refunded_minor BIGINT NOT NULL DEFAULT 0,
  referrer_id TEXT, referral_points BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id);
CREATE TABLE IF NOT EXISTS refunds (
  id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders(id),
  amount_minor BIGINT NOT NULL, points BIGINT NOT NULL);

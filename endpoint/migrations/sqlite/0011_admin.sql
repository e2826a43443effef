-- The shop owner's console (issue #30): customers found by first name
-- (any case, prefix) and when a customer was erased; the admin audit log
-- (sign-ins, exports, erasures, adjustments), read per customer.
CREATE INDEX IF NOT EXISTS customers_by_first_name ON customers (lower(first_name));
ALTER TABLE customers ADD COLUMN erased_at TEXT;
CREATE TABLE IF NOT EXISTS admin_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL,
  customer_id TEXT, actor TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS admin_events_by_customer ON admin_events (customer_id, id);

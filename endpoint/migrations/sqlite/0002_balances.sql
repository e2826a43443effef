-- Each customer's ledger folded up to a day (domain/snapshot.rs), written in
-- the same transaction as every ledger entry, so that a write or a read does
-- not read the customer's whole history. Derived data: a missing or stale
-- row is folded again from the ledger, which stays the record.
CREATE TABLE IF NOT EXISTS balances (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id),
  last_id BIGINT NOT NULL,
  snapshot TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_customer_kind ON ledger (customer_id, kind, booked_on);

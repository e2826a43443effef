-- Old referral codes brought over by an import (`loyalty-endpoint import`):
-- each is another name of its customer's own code, so the links customers
-- shared from the old app keep working. Lower case; the import that made it,
-- so that its undo takes it away again.
CREATE TABLE IF NOT EXISTS referral_aliases (
  code TEXT PRIMARY KEY, customer_id TEXT NOT NULL, import_id TEXT NOT NULL);

-- A redemption's life (domain/rewards.rs): its points are reserved with the
-- ledger entry (`pending`), its code is made on the shop's platform, then it
-- is `active`; or, when the platform refuses, `released` with a ledger entry
-- giving the points back. Orders that use the code make it `used`; codes
-- past their day, `expired`. Rows made before this migration had their code
-- only in this database: they stay `active`.
ALTER TABLE redemptions ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
-- The Idempotency-Key of the redeem, for a client whose answer was lost.
ALTER TABLE redemptions ADD COLUMN idempotency_key TEXT;
-- The reservation's ledger entry, and the release's.
ALTER TABLE redemptions ADD COLUMN entry_id BIGINT;
ALTER TABLE redemptions ADD COLUMN release_entry BIGINT;
-- The platform the code is made on (NULL: none) and its id there.
ALTER TABLE redemptions ADD COLUMN platform TEXT;
ALTER TABLE redemptions ADD COLUMN reference TEXT;
-- What to make, fixed when the points were reserved (JSON).
ALTER TABLE redemptions ADD COLUMN spec TEXT;
-- The order number that used the code.
ALTER TABLE redemptions ADD COLUMN used_order TEXT;
-- Tries on the platform, the last failure, and when it was last touched
-- (Unix seconds).
ALTER TABLE redemptions ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE redemptions ADD COLUMN last_error TEXT;
ALTER TABLE redemptions ADD COLUMN touched_at BIGINT NOT NULL DEFAULT 0;
UPDATE redemptions SET entry_id = CAST(substr(id, 5) AS INTEGER) WHERE id GLOB 'red-[0-9]*';
CREATE INDEX IF NOT EXISTS redemptions_by_customer ON redemptions (customer_id, entry_id);
CREATE INDEX IF NOT EXISTS redemptions_by_state ON redemptions (state, touched_at);

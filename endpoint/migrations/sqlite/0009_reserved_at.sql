-- When a redemption's points were reserved (Unix seconds), kept as it was:
-- how long a pending one has waited for the platform (the metric
-- `loyalty_redemption_oldest_waiting_seconds`). `touched_at` moves with
-- every try; rows from before this migration start from their last touch.
ALTER TABLE redemptions ADD COLUMN reserved_at BIGINT;
UPDATE redemptions SET reserved_at = touched_at;

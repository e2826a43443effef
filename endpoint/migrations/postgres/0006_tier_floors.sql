-- A tier brought over from another loyalty app (`loyalty-endpoint import`):
-- kept as a floor until a day (inclusive) the owner picks, so nobody drops
-- a tier on the day of the move; after it the program's rule alone decides.
-- The import that set it, so that its undo takes the floor away again.
ALTER TABLE customers ADD COLUMN tier_floor TEXT;
ALTER TABLE customers ADD COLUMN tier_floor_until TEXT;
ALTER TABLE customers ADD COLUMN tier_floor_import TEXT;

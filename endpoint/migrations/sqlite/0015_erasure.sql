-- Erasure leaves no personal text in the ledger (issue #30).
--
-- 1. A referrer's ledger row booked before the friend's first name was
--    left out of it ("Referral: Anna") now says only "Referral": the name is
--    shown from the friend's order while they are there.
-- 2. The ledger stays append-only, with one exception: an entry's reason
--    and labels may be replaced by '(erased)', every other column kept, so
--    that erasing a customer removes the free text of their adjustments
--    (a shop owner's reason may name them). Amounts, days and kinds can
--    never change.
DROP TRIGGER IF EXISTS ledger_no_update;
UPDATE ledger SET reason = 'Referral', label_en = 'Referral', label_de = 'Empfehlung'
  WHERE kind = 'referral'
    AND (reason <> 'Referral' OR label_en <> 'Referral' OR label_de <> 'Empfehlung');
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
  WHEN NOT (NEW.reason = '(erased)' AND NEW.label_en = '(erased)' AND NEW.label_de = '(erased)'
    AND NEW.id = OLD.id AND NEW.customer_id = OLD.customer_id AND NEW.kind = OLD.kind
    AND NEW.points = OLD.points AND NEW.booked_on = OLD.booked_on
    AND NEW.available_on = OLD.available_on AND NEW.expires_on IS OLD.expires_on
    AND NEW.lot IS OLD.lot AND NEW.amount_minor = OLD.amount_minor
    AND NEW.order_id IS OLD.order_id AND NEW.code IS OLD.code)
  BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;

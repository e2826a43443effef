-- Erasure leaves no personal text in the ledger (issue #30).
--
-- 1. A referrer's ledger row booked before the friend's first name was
--    left out of it ("Referral: Anna") now says only "Referral": the name is
--    shown from the friend's order while they are there.
-- 2. The ledger stays append-only, with one exception: an entry's reason
--    and labels may be replaced by '(erased)', every other column kept, so
--    that erasing a customer removes the free text of their adjustments
--    (a shop owner's reason may name them). Amounts, days and kinds can
--    never change. Deleting and truncating stay refused for the statement.
DROP TRIGGER IF EXISTS ledger_no_change ON ledger;
UPDATE ledger SET reason = 'Referral', label_en = 'Referral', label_de = 'Empfehlung'
  WHERE kind = 'referral'
    AND (reason <> 'Referral' OR label_en <> 'Referral' OR label_de <> 'Empfehlung');
CREATE TRIGGER ledger_no_change BEFORE DELETE OR TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
DROP TRIGGER IF EXISTS ledger_no_update ON ledger;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  FOR EACH ROW WHEN (NOT (NEW.reason = '(erased)' AND NEW.label_en = '(erased)'
    AND NEW.label_de = '(erased)'
    AND (NEW.id, NEW.customer_id, NEW.kind, NEW.points, NEW.booked_on, NEW.available_on,
         NEW.expires_on, NEW.lot, NEW.amount_minor, NEW.order_id, NEW.code)
      IS NOT DISTINCT FROM
        (OLD.id, OLD.customer_id, OLD.kind, OLD.points, OLD.booked_on, OLD.available_on,
         OLD.expires_on, OLD.lot, OLD.amount_minor, OLD.order_id, OLD.code)))
  EXECUTE FUNCTION ledger_append_only();

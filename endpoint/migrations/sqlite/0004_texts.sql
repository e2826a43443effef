-- A program speaks any languages (domain/language.rs): its texts live in one
-- table keyed by owner and language, not in a column per language. Owners:
-- program.name, program.pitch, program.referral, tier.ID.name, tier.ID.perks
-- (a JSON list), reward.ID.title, offer.ID.title, offer.ID.description,
-- earning.N.title, earning.N.points. The English and German texts of an
-- existing database move here, then their columns go.
CREATE TABLE IF NOT EXISTS texts (
  owner TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (owner, lang));
INSERT INTO texts (owner, lang, text)
  SELECT 'program.name', substr(key, 6), value FROM settings WHERE key IN ('name_en', 'name_de');
INSERT INTO texts (owner, lang, text)
  SELECT 'program.pitch', substr(key, 7), value FROM settings WHERE key IN ('pitch_en', 'pitch_de');
INSERT INTO texts (owner, lang, text)
  SELECT 'program.referral', substr(key, 10), value FROM settings
  WHERE key IN ('referral_en', 'referral_de');
DELETE FROM settings WHERE key IN ('name_en', 'name_de', 'pitch_en', 'pitch_de', 'referral_en', 'referral_de');
INSERT INTO texts (owner, lang, text) SELECT 'tier.' || id || '.name', 'en', name_en FROM tiers;
INSERT INTO texts (owner, lang, text) SELECT 'tier.' || id || '.name', 'de', name_de FROM tiers;
INSERT INTO texts (owner, lang, text) SELECT 'tier.' || id || '.perks', 'en', perks_en FROM tiers;
INSERT INTO texts (owner, lang, text) SELECT 'tier.' || id || '.perks', 'de', perks_de FROM tiers;
INSERT INTO texts (owner, lang, text) SELECT 'earning.' || position || '.title', 'en', title_en FROM earning;
INSERT INTO texts (owner, lang, text) SELECT 'earning.' || position || '.title', 'de', title_de FROM earning;
INSERT INTO texts (owner, lang, text) SELECT 'earning.' || position || '.points', 'en', points_en FROM earning;
INSERT INTO texts (owner, lang, text) SELECT 'earning.' || position || '.points', 'de', points_de FROM earning;
INSERT INTO texts (owner, lang, text) SELECT 'reward.' || id || '.title', 'en', title_en FROM rewards;
INSERT INTO texts (owner, lang, text) SELECT 'reward.' || id || '.title', 'de', title_de FROM rewards;
INSERT INTO texts (owner, lang, text) SELECT 'offer.' || id || '.title', 'en', title_en FROM offers;
INSERT INTO texts (owner, lang, text) SELECT 'offer.' || id || '.title', 'de', title_de FROM offers;
INSERT INTO texts (owner, lang, text) SELECT 'offer.' || id || '.description', 'en', desc_en FROM offers;
INSERT INTO texts (owner, lang, text) SELECT 'offer.' || id || '.description', 'de', desc_de FROM offers;
ALTER TABLE tiers DROP COLUMN name_en;
ALTER TABLE tiers DROP COLUMN name_de;
ALTER TABLE tiers DROP COLUMN perks_en;
ALTER TABLE tiers DROP COLUMN perks_de;
ALTER TABLE earning DROP COLUMN title_en;
ALTER TABLE earning DROP COLUMN title_de;
ALTER TABLE earning DROP COLUMN points_en;
ALTER TABLE earning DROP COLUMN points_de;
ALTER TABLE rewards DROP COLUMN title_en;
ALTER TABLE rewards DROP COLUMN title_de;
ALTER TABLE offers DROP COLUMN title_en;
ALTER TABLE offers DROP COLUMN title_de;
ALTER TABLE offers DROP COLUMN desc_en;
ALTER TABLE offers DROP COLUMN desc_de;

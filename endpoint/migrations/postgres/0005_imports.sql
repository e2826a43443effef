-- Imports from other loyalty apps (`loyalty-endpoint import`): one row per
-- file applied, its id a hash of the file's bytes and the mode, so the same
-- file is never applied twice. Its ledger entries carry the id in their
-- reason (`import ID ...`); an undo appends compensating entries.
CREATE TABLE IF NOT EXISTS imports (
  id TEXT PRIMARY KEY, app TEXT NOT NULL, mode TEXT NOT NULL,
  created_at TEXT NOT NULL, rows BIGINT NOT NULL, points BIGINT NOT NULL,
  state TEXT NOT NULL, undone_at TEXT);

-- The program page of the console (issue #30): every program file installed,
-- its text as installed and when, so the page can say what changed since the
-- previous version. A row is added only when the file's text changed.
CREATE TABLE IF NOT EXISTS program_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, installed_at TEXT NOT NULL);

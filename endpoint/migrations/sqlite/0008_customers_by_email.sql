-- The importer matches customers by e-mail (trimmed, any case): one lookup
-- per row, a scan of every customer without this index (a 50,000-row file
-- took longer than ten minutes; see the SIGKILL test in tests/import.rs).
CREATE INDEX IF NOT EXISTS customers_by_email ON customers (lower(trim(email)));

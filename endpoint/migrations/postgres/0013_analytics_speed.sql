-- The console's figures at a large shop's size (GET /admin/v1/analytics):
-- indexes that hold every column the per-member reads need, so that a
-- read walks one index instead of looking up each member's rows.
--   members_by_state_created  the members at a day with their id
--                             (tier moves, points outstanding,
--                             cohorts, the at-risk list)
--   customer_points_whole     a customer's kept points and lifetime points
--   customer_sales_whole      a customer key's kept sums by member flag
--                             (cohort revenue); not the order days, whose
--                             text can outgrow an index entry
CREATE INDEX IF NOT EXISTS members_by_state_created ON customers (state, created_on, id);
CREATE INDEX IF NOT EXISTS customer_points_whole ON customer_points (customer_id, points, lifetime);
CREATE INDEX IF NOT EXISTS customer_sales_whole ON customer_sales (customer_key, member, revenue, first_at, last_at);

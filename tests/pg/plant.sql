-- Schema plant: schema gen (tests/pg/generic.sql loaded with
-- fixtures/dialects/generic) plus three planted touches of campaign C00001,
-- all in 2000, long before the window, for the pushdown touches test:
--   TPLANT-A  lead L0000000 (campaign_id C00001; no mql_at, sql_at or
--             opportunity; no opportunities row names it): left on the
--             server and counted there;
--   TPLANT-B  lead L0000005 (an MQL): copied (attribution reads it);
--   TPLANT-C  lead L9999999, which does not exist: copied (an orphan).
DROP SCHEMA IF EXISTS plant CASCADE;
CREATE SCHEMA plant;
CREATE TABLE plant.leads AS SELECT * FROM gen.leads;
CREATE TABLE plant.campaigns AS SELECT * FROM gen.campaigns;
CREATE TABLE plant.touches AS SELECT * FROM gen.touches;
CREATE TABLE plant.activities AS SELECT * FROM gen.activities;
CREATE TABLE plant.opportunities AS SELECT * FROM gen.opportunities;
CREATE TABLE plant.users AS SELECT * FROM gen.users;
CREATE TABLE plant.targets AS SELECT * FROM gen.targets;
INSERT INTO plant.touches VALUES
    ('TPLANT-A', 'L0000000', 'C00001', '2000-01-03 10:00:00+00', true),
    ('TPLANT-B', 'L0000005', 'C00001', '2000-01-03 11:00:00+00', true),
    ('TPLANT-C', 'L9999999', 'C00001', '2000-01-03 12:00:00+00', true);
ANALYZE;
GRANT USAGE ON SCHEMA plant TO lp;
GRANT SELECT ON ALL TABLES IN SCHEMA plant TO lp;

-- Role lp_one may hold one connection only (CONNECTION LIMIT 1): pushdown
-- then counts the touches on its first connection, after their copy.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lp_one') THEN
        CREATE ROLE lp_one LOGIN PASSWORD 'lp-secret' CONNECTION LIMIT 1;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA gen, plant TO lp_one;
GRANT SELECT ON ALL TABLES IN SCHEMA gen TO lp_one;
GRANT SELECT ON ALL TABLES IN SCHEMA plant TO lp_one;

-- Generic-dialect data (leadpack fixtures --dialect generic) as typed tables
-- in schema gen, e.g. for timing the three modes:
--   pg.sh load DIR PORT tests/pg/generic.sql /tmp/generic-0.1
-- psql variable :fixtures is the folder of the CSV files.
DROP SCHEMA IF EXISTS gen CASCADE;
CREATE SCHEMA gen;
SET search_path = gen;

CREATE TABLE leads (
    lead_id text, created_at timestamptz, source text, campaign_id text, owner_id text,
    company text, industry text, employees integer, country text, phone text, email text,
    score numeric, status text, mql_at timestamptz, sql_at timestamptz,
    disqualified_at timestamptz, converted_at timestamptz, opportunity_id text);
CREATE TABLE campaigns (
    campaign_id text, name text, type text, start_date date, end_date date,
    actual_cost numeric, budgeted_cost numeric);
CREATE TABLE touches (
    touch_id text, lead_id text, campaign_id text, touched_at timestamptz, responded boolean);
CREATE TABLE activities (lead_id text, at timestamptz, owner_id text, type text);
CREATE TABLE opportunities (
    opportunity_id text, created_at timestamptz, stage text, amount numeric, close_date date,
    is_closed boolean, is_won boolean, source text, campaign_id text, lead_id text,
    owner_id text, type text);
CREATE TABLE users (owner_id text, name text, team text, is_partner boolean);
CREATE TABLE targets (period text, measure text, team text, value numeric);

\set ON_ERROR_STOP on
\cd :fixtures
\copy leads FROM 'leads.csv' WITH (FORMAT csv, HEADER)
\copy campaigns FROM 'campaigns.csv' WITH (FORMAT csv, HEADER)
\copy touches FROM 'touches.csv' WITH (FORMAT csv, HEADER)
\copy activities FROM 'activities.csv' WITH (FORMAT csv, HEADER)
\copy opportunities FROM 'opportunities.csv' WITH (FORMAT csv, HEADER)
\copy users FROM 'users.csv' WITH (FORMAT csv, HEADER)
\copy targets FROM 'targets.csv' WITH (FORMAT csv, HEADER)
ANALYZE;

GRANT USAGE ON SCHEMA gen TO lp;
GRANT SELECT ON ALL TABLES IN SCHEMA gen TO lp;

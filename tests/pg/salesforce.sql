-- The checked-in Salesforce sample (fixtures/sample/salesforce) as typed
-- tables in schema crm, for the warehouse tests (tests/pg/pg.sh load).
-- Unquoted names fold to lower case, as in most warehouses; the profile's
-- column names still match (case-insensitively). psql variable :fixtures is
-- the folder of the CSV files.
DROP SCHEMA IF EXISTS crm CASCADE;
CREATE SCHEMA crm;
SET search_path = crm;

CREATE TABLE campaign (
    Id text PRIMARY KEY, Name text, Type text, Status text, StartDate date,
    EndDate date, BudgetedCost numeric(12, 2), ActualCost numeric(12, 2), IsActive boolean);
CREATE TABLE campaignmember (
    Id text PRIMARY KEY, CampaignId text, LeadId text, Status text,
    HasResponded boolean, CreatedDate timestamptz);
CREATE TABLE event (
    Id text PRIMARY KEY, WhoId text, OwnerId text, Subject text, EventSubtype text,
    Type text, ActivityDateTime timestamptz, CreatedDate timestamptz);
CREATE TABLE lead (
    Id text PRIMARY KEY, FirstName text, LastName text, Company text, Email text,
    Phone text, Industry text, NumberOfEmployees integer, Country text, LeadSource text,
    Status text, OwnerId text, CreatedDate timestamptz, MQL_Date__c timestamptz,
    SQL_Date__c timestamptz, IsConverted boolean, ConvertedDate date,
    ConvertedOpportunityId text);
CREATE TABLE opportunity (
    Id text PRIMARY KEY, Name text, StageName text, Amount numeric(14, 2), CloseDate date,
    IsClosed boolean, IsWon boolean, LeadSource text, CampaignId text, OwnerId text,
    Type text, CreatedDate timestamptz);
CREATE TABLE task (
    Id text PRIMARY KEY, WhoId text, OwnerId text, Subject text, TaskSubtype text,
    Type text, Status text, ActivityDate date, CreatedDate timestamptz);
CREATE TABLE "user" (
    Id text PRIMARY KEY, FirstName text, LastName text, Name text, Email text,
    Department text, UserType text, IsActive boolean);
CREATE TABLE targets (period text, measure text, team text, value numeric);

\set ON_ERROR_STOP on
\cd :fixtures
\copy campaign FROM 'Campaign.csv' WITH (FORMAT csv, HEADER)
\copy campaignmember FROM 'CampaignMember.csv' WITH (FORMAT csv, HEADER)
\copy event FROM 'Event.csv' WITH (FORMAT csv, HEADER)
\copy lead FROM 'Lead.csv' WITH (FORMAT csv, HEADER)
\copy opportunity FROM 'Opportunity.csv' WITH (FORMAT csv, HEADER)
\copy task FROM 'Task.csv' WITH (FORMAT csv, HEADER)
\copy "user" FROM 'User.csv' WITH (FORMAT csv, HEADER)
\copy targets FROM 'Targets.csv' WITH (FORMAT csv, HEADER)

-- For the error tests: a lead table whose created date cannot be read.
CREATE TABLE badlead (Id text, CreatedDate bytea);
INSERT INTO badlead VALUES ('00Q1', '\x00');

GRANT USAGE ON SCHEMA crm TO lp;
GRANT SELECT ON ALL TABLES IN SCHEMA crm TO lp;

/* Dialect mappings: every shipped profile loads, a user mapping overlays a
 * profile, errors name file and line, and detection picks the profile from
 * header lines. Expected values are read off the profile files and the
 * CSV text written in each test. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/mapping.h"

#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lp_mapping_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static const lp_column_map *column(const lp_mapping *m, lp_table_id t, const char *name)
{
    for (size_t i = 0; i < m->tables[t].ncolumns; i++)
        if (!strcmp(m->tables[t].columns[i].canonical, name)) return &m->tables[t].columns[i];
    return NULL;
}

static const char *value_of(const lp_mapping *m, const char *col, const char *from)
{
    for (size_t i = 0; i < m->nvalues; i++) {
        if (strcmp(m->values[i].column, col)) continue;
        for (size_t j = 0; j < m->values[i].n; j++)
            if (!strcmp(m->values[i].from[j], from)) return m->values[i].to[j];
    }
    return NULL;
}

typedef struct profile_name {
    char name[32];
} profile_name;

ParameterizedTestParameters(mapping, every_profile_loads)
{
    static profile_name names[] = {{"salesforce"}, {"salesforce-report"}, {"hubspot"},
                                   {"marketo"}, {"pipedrive"}, {"generic"}};
    return cr_make_param_array(profile_name, names, sizeof names / sizeof names[0]);
}

ParameterizedTest(profile_name *pn, mapping, every_profile_loads)
{
    const char *name = pn->name;
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mapping_load(PROFILES, name, NULL, &m, err), LP_OK, "%s", err);
    cr_expect_str_eq(m->profile, name);
    cr_expect_geq(m->ndetect, 3);
    /* every table with files maps all its required columns */
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        if (!m->tables[t].nfiles) continue;
        size_t n;
        const lp_canon_column *cols = lp_canon_columns((lp_table_id)t, &n);
        for (size_t c = 0; c < n; c++)
            if (cols[c].required)
                cr_expect_not_null(column(m, (lp_table_id)t, cols[c].name), "%s: %s.%s",
                                   name, lp_canon_table_name((lp_table_id)t), cols[c].name);
    }
    lp_mapping_free(m);
}

Test(mapping, salesforce_profile_contents)
{
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_mapping_load(PROFILES, "salesforce", NULL, &m, err), LP_OK, "%s", err);
    cr_expect_str_eq(m->tables[LP_LEADS].files[0], "Lead.csv");
    const lp_column_map *mql = column(m, LP_LEADS, "mql_at");
    cr_assert_not_null(mql);
    cr_expect_str_eq(mql->sources[0], "MQL_Date__c");
    cr_expect_str_eq(column(m, LP_USERS, "is_partner")->sources[0], "UserType");
    cr_expect_str_eq(value_of(m, "is_partner", "PowerPartner"), "true");
    cr_expect_str_eq(value_of(m, "stage", "Closed Won"), "won");
    cr_expect_str_eq(value_of(m, "stage", "Prospecting"), "open");
    cr_expect_str_eq(m->date_order, "mdy");
    lp_mapping_free(m);
    lp_mapping_free(NULL);
}

Test(mapping, user_mapping_overlays_profile, .init = make_tmpdir, .fini = remove_tmpdir)
{
    const char *path = write_file("mine.yaml",
        "profile: salesforce\n"
        "files:\n"
        "  leads: [exports/leads_2026.csv]\n"
        "columns:\n"
        "  leads:\n"
        "    mql_at: Lead_MQL_Timestamp__c\n"
        "    score: [Custom_Score__c]\n"
        "    sql_at: ~\n"
        "values:\n"
        "  source: {\"google ads\": Paid Search}\n"
        "  stage: {\"Closed Won\": won, \"Verbal Commit\": open}\n"
        "defaults:\n"
        "  leads: {country: Germany}\n");
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mapping_load(PROFILES, NULL, path, &m, err), LP_OK, "%s", err);
    cr_expect_str_eq(m->profile, "salesforce");
    cr_assert_eq(m->tables[LP_LEADS].nfiles, 1);
    cr_expect_str_eq(m->tables[LP_LEADS].files[0], "exports/leads_2026.csv");
    cr_expect_str_eq(m->tables[LP_OPPORTUNITIES].files[0], "Opportunity.csv"); /* kept */
    const lp_column_map *mql = column(m, LP_LEADS, "mql_at");
    cr_assert_eq(mql->nsources, 1);
    cr_expect_str_eq(mql->sources[0], "Lead_MQL_Timestamp__c");
    cr_expect_str_eq(column(m, LP_LEADS, "score")->sources[0], "Custom_Score__c");
    cr_expect_null(column(m, LP_LEADS, "sql_at"));                 /* removed by null */
    cr_expect_str_eq(column(m, LP_LEADS, "lead_id")->sources[0], "Id"); /* kept */
    const lp_column_map *country = column(m, LP_LEADS, "country");
    cr_expect_str_eq(country->default_value, "Germany");
    cr_expect_str_eq(country->sources[0], "Country");             /* sources kept */
    cr_expect_str_eq(value_of(m, "source", "google ads"), "Paid Search");
    cr_expect_str_eq(value_of(m, "stage", "Verbal Commit"), "open");
    cr_expect_str_eq(value_of(m, "stage", "Closed Lost"), "lost"); /* profile entry kept */
    lp_mapping_free(m);
}

/* The three exports: a marketing-funnel file whose first-contact
 * date is both created_at and mql_at, users keyed by their full name, and a
 * closed-deals file with one date for created_at and close_date. */
Test(mapping, one_source_feeds_several_columns, .init = make_tmpdir, .fini = remove_tmpdir)
{
    const char *path = write_file("funnel.yaml",
        "profile: generic\n"
        "columns:\n"
        "  leads:\n"
        "    created_at: FirstContact\n"
        "    mql_at: FirstContact\n"
        "  users:\n"
        "    owner_id: Full Name\n"
        "    name: [Full Name]\n"
        "  opportunities:\n"
        "    created_at: Closed\n"
        "    close_date: Closed\n");
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mapping_load(PROFILES, NULL, path, &m, err), LP_OK, "%s", err);
    cr_expect_str_eq(column(m, LP_LEADS, "created_at")->sources[0], "FirstContact");
    cr_expect_str_eq(column(m, LP_LEADS, "mql_at")->sources[0], "FirstContact");
    cr_expect_str_eq(column(m, LP_USERS, "owner_id")->sources[0], "Full Name");
    cr_expect_str_eq(column(m, LP_USERS, "name")->sources[0], "Full Name");
    cr_expect_str_eq(column(m, LP_OPPORTUNITIES, "created_at")->sources[0], "Closed");
    cr_expect_str_eq(column(m, LP_OPPORTUNITIES, "close_date")->sources[0], "Closed");
    lp_mapping_free(m);
}

Test(mapping, standalone_user_mapping, .init = make_tmpdir, .fini = remove_tmpdir)
{
    const char *path = write_file("own.yaml",
        "files: {leads: people.csv}\n"
        "columns:\n"
        "  leads: {lead_id: ID, created_at: Created}\n");
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_mapping_load(PROFILES, NULL, path, &m, err), LP_OK, "%s", err);
    cr_expect_str_eq(m->profile, "custom");
    cr_expect_eq(m->tables[LP_LEADS].ncolumns, 2);
    cr_expect_eq(m->tables[LP_OPPORTUNITIES].nfiles, 0);
    lp_mapping_free(m);
}

typedef struct bad_case {
    char yaml[200];
    char message[220];
} bad_case;

ParameterizedTestParameters(mapping, errors_name_file_and_line)
{
    static bad_case cases[] = {
        {"profile: salesforce\ncolums: {}\n",
         "bad.yaml line 2: unknown key \"colums\" (did you mean \"columns\"?)"},
        {"profile: salesforce\ncolumns:\n  lead:\n    lead_id: Id\n",
         "bad.yaml line 3: columns: unknown table \"lead\" (did you mean \"leads\"?)"},
        {"profile: salesforce\ncolumns:\n  leads:\n    mql_date: MQL__c\n",
         "bad.yaml line 4: unknown column \"mql_date\" in table leads (did you mean \"mql_at\"?)"},
        /* "phone: Id" beside the profile's "lead_id: Id" was refused here
         * ("a source column can feed one canonical column"); one source
         * column may now feed several (templates/DEFINITIONS.md, mapping rules), see
         * mapping.one_source_feeds_several_columns. */
        {"profile: salesforce\ncolumns:\n  leads: Id\n",
         "bad.yaml line 3: columns.leads: expected a mapping of names to values (key: value lines)"},
        {"profile: salesforce\ncolumns:\n  leads:\n    lead_id: {a: b}\n",
         "bad.yaml line 4: columns.leads.lead_id: expected text or a list such as [A, B]"},
        {"profile: salesforce\nfiles:\n  leads: ../secret/Lead.csv\n",
         "bad.yaml line 3: files.leads: \"../secret/Lead.csv\" must be a file name inside the "
         "input folder (no absolute path, no ..)"},
        {"profile: salesforce\nfiles:\n  leads: [Lead.csv, /etc/passwd]\n",
         "bad.yaml line 3: files.leads: \"/etc/passwd\" must be a file name inside the input "
         "folder (no absolute path, no ..)"},
        {"profile: salesforce\ndate_order: dym\n",
         "bad.yaml line 2: date_order: \"dym\" is not one of mdy, dmy, ymd"},
        {"profile: salesforce\nvalues:\n  stag: {Won: won}\n",
         "bad.yaml line 3: values: unknown column \"stag\" (did you mean \"stage\"?)"},
        {"profile: salesfarce\n",
         "bad.yaml line 1: unknown profile \"salesfarce\" (no " PROFILES "/salesfarce.yaml)"},
        {"profile: ../etc\n", "bad.yaml line 1: profile \"../etc\" is not a profile name"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *c, mapping, errors_name_file_and_line, .init = make_tmpdir,
                  .fini = remove_tmpdir)
{
    const char *path = write_file("bad.yaml", c->yaml);
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mapping_load(PROFILES, NULL, path, &m, err), LP_ERR_CONFIG);
    cr_expect_null(m);
    cr_expect_str_eq(err, c->message);
}

Test(mapping, profile_argument_conflicts_with_user_file, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    const char *path = write_file("mine.yaml", "profile: hubspot\n");
    lp_mapping *m = NULL;
    char err[LP_ERRMSG_SIZE] = "";
    cr_expect_eq(lp_mapping_load(PROFILES, "salesforce", path, &m, err), LP_ERR_CONFIG);
    cr_expect_str_eq(err, "mine.yaml line 1: profile \"hubspot\" differs from the profile "
                          "chosen (\"salesforce\")");
    cr_expect_eq(lp_mapping_load(PROFILES, NULL, NULL, &m, err), LP_ERR_USAGE);
}

/* A header with a UTF-8 BOM, quoted names and semicolons. */
Test(mapping, detects_salesforce_from_quoted_semicolon_header, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    write_file("Lead.csv", "\xEF\xBB\xBF\"Id\";\"LeadSource\";\"CreatedDate\";\"Company\"\r\n"
                           "00Q1;Web;2026-11-20T14:03:11.000+0000;\"Acme; Inc\"\r\n");
    write_file("notes.txt", "");
    char *profile = NULL, reason[256];
    cr_assert_eq(lp_mapping_detect(PROFILES, tmpdir, &profile, reason, sizeof reason), LP_OK,
                 "%s", reason);
    cr_expect_str_eq(profile, "salesforce");
    cr_expect_str_eq(reason, "salesforce: Lead.csv has Id, LeadSource, CreatedDate");
    lp_free(profile);
}

Test(mapping, detects_hubspot_from_tab_header_with_quoted_name, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    write_file("export.tsv", "Record ID\tCreate Date\tLifecycle Stage\tOriginal Source\t"
                             "\"Date entered \"\"Marketing Qualified Lead (Lifecycle Stage "
                             "Pipeline)\"\"\"\n1\t2026-11-20 10:00\tLead\tWeb\t\n");
    char *profile = NULL, reason[256];
    cr_assert_eq(lp_mapping_detect(PROFILES, tmpdir, &profile, reason, sizeof reason), LP_OK,
                 "%s", reason);
    cr_expect_str_eq(profile, "hubspot");
    cr_expect_str_eq(reason, "hubspot: export.tsv has Record ID, Create Date, Lifecycle Stage, "
                             "Original Source");
    lp_free(profile);
}

Test(mapping, detect_finds_nothing_in_unknown_exports, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    write_file("data.csv", "a,b,c\n1,2,3\n");
    char *profile = NULL, reason[256];
    cr_expect_eq(lp_mapping_detect(PROFILES, tmpdir, &profile, reason, sizeof reason),
                 LP_ERR_INPUT);
    cr_expect_null(profile);
    cr_expect(strstr(reason, "no profile matches"), "%s", reason);
}

typedef struct fixture_case {
    char dir[64];
    char profile[32];
} fixture_case;

ParameterizedTestParameters(mapping, detects_checked_in_fixtures)
{
    static fixture_case cases[] = {
        {"sample/salesforce", "salesforce"},       {"sample/hubspot", "hubspot"},
        {"dialects/marketo", "marketo"},           {"dialects/pipedrive", "pipedrive"},
        {"dialects/generic", "generic"},           {"dialects/salesforce-report", "salesforce-report"},
    };
    return cr_make_param_array(fixture_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(fixture_case *c, mapping, detects_checked_in_fixtures)
{
    char dir[256], *profile = NULL, reason[256];
    snprintf(dir, sizeof dir, "%s/fixtures/%s", LP_SOURCE_DIR, c->dir);
    cr_assert_eq(lp_mapping_detect(PROFILES, dir, &profile, reason, sizeof reason), LP_OK,
                 "%s", reason);
    cr_expect_str_eq(profile, c->profile);
    lp_free(profile);
}

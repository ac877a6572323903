/* Fixture generator: byte-for-byte determinism, row counts against the
 * sizes the brief sets (scale 1 = 1,000,000 leads, ~3 touches, ~5
 * activities and 0.15 opportunities per lead, 2,000 campaigns), files and
 * headers matching the profiles, the same data across dialects, and the
 * planted effects. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fnmatch.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../engine/gen/gen_internal.h"
#include "../../engine/mapping/header.h"
#include "lp/gen.h"
#include "lp/mapping.h"

#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lp_gen_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

static char *slurp(const char *path, size_t *out_len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)len + 1);
    size_t got = fread(data, 1, (size_t)len, fp);
    fclose(fp);
    data[got] = '\0';
    *out_len = got;
    return data;
}

/* Data rows of a generated CSV: lines minus the header (no generated field
 * holds a line break), minus the footer block of report exports. */
static long rows(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    char *data = slurp(path, &len);
    cr_assert_not_null(data, "missing %s", path);
    long lines = 0;
    for (size_t i = 0; i < len; i++) lines += data[i] == '\n';
    char *footer = strstr(data, "\r\n\r\n");
    if (footer)
        for (char *p = footer + 2; *p; p++) lines -= *p == '\n';
    free(data);
    return lines - 1;
}

/* Every file of dir a equals the same-named file of dir b. */
static void expect_same_files(const char *a, const char *b, int min_files)
{
    struct dirent **list;
    int n = scandir(a, &list, NULL, alphasort);
    cr_assert_geq(n, 0);
    int compared = 0;
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            char pa[512], pb[512];
            snprintf(pa, sizeof pa, "%s/%s", a, list[i]->d_name);
            snprintf(pb, sizeof pb, "%s/%s", b, list[i]->d_name);
            size_t la = 0, lb = 0;
            char *da = slurp(pa, &la), *db = slurp(pb, &lb);
            cr_expect_not_null(db, "%s missing", pb);
            cr_expect(db && la == lb && !memcmp(da, db, la), "%s differs from %s", pa, pb);
            free(da);
            free(db);
            compared++;
        }
        free(list[i]);
    }
    free(list);
    cr_expect_geq(compared, min_files);
}

Test(gen, same_seed_same_bytes, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char a[128], b[128], c[128], err[LP_ERRMSG_SIZE];
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b", tmpdir);
    snprintf(c, sizeof c, "%s/c", tmpdir);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "hubspot", 0.0005, 7, a, err), LP_OK, "%s", err);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "hubspot", 0.0005, 7, b, err), LP_OK, "%s", err);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "hubspot", 0.0005, 8, c, err), LP_OK, "%s", err);
    expect_same_files(a, b, 6);
    size_t l1 = 0, l2 = 0;
    char pa[256], pc[256];
    snprintf(pa, sizeof pa, "%s/contacts.csv", a);
    snprintf(pc, sizeof pc, "%s/contacts.csv", c);
    char *d1 = slurp(pa, &l1), *d2 = slurp(pc, &l2);
    cr_expect(l1 != l2 || memcmp(d1, d2, l1), "another seed gives other data");
    free(d1);
    free(d2);
}

typedef struct fixture_case {
    char dialect[32];
    char dir[64];
    double scale;
} fixture_case;

ParameterizedTestParameters(gen, checked_in_fixtures_regenerate)
{
    static fixture_case cases[] = {
        {"salesforce", "sample/salesforce", 0.004},
        {"hubspot", "sample/hubspot", 0.004},
        {"marketo", "dialects/marketo", 0.0002},
        {"pipedrive", "dialects/pipedrive", 0.0002},
        {"generic", "dialects/generic", 0.0002},
        {"salesforce-report", "dialects/salesforce-report", 0.0002},
    };
    return cr_make_param_array(fixture_case, cases, sizeof cases / sizeof cases[0]);
}

/* The checked-in fixtures are exactly what the generator writes with seed
 * 42: they can be regenerated and never drift from the model. */
ParameterizedTest(fixture_case *c, gen, checked_in_fixtures_regenerate, .init = make_tmpdir,
                  .fini = remove_tmpdir)
{
    char out[128], ref[256], err[LP_ERRMSG_SIZE];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(ref, sizeof ref, "%s/fixtures/%s", LP_SOURCE_DIR, c->dir);
    cr_assert_eq(lp_fixtures_generate(PROFILES, c->dialect, c->scale, 42, out, err), LP_OK,
                 "%s", err);
    expect_same_files(out, ref, 2);
    expect_same_files(ref, out, 2);
}

Test(gen, row_counts_at_small_scale, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char sf[128], hs[128], err[LP_ERRMSG_SIZE];
    snprintf(sf, sizeof sf, "%s/sf", tmpdir);
    snprintf(hs, sizeof hs, "%s/hs", tmpdir);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "salesforce", 0.004, 3, sf, err), LP_OK, "%s", err);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "hubspot", 0.004, 3, hs, err), LP_OK, "%s", err);
    long leads = rows(sf, "Lead.csv");
    cr_expect_eq(leads, 4000);                  /* 1,000,000 x 0.004 */
    cr_expect_eq(rows(sf, "Campaign.csv"), 8);  /* 2,000 x 0.004 = 8 */
    cr_expect_eq(rows(sf, "User.csv"), 20);     /* five teams of at least four */
    double touches = (double)rows(sf, "CampaignMember.csv") / leads;
    double activities = (double)(rows(sf, "Task.csv") + rows(sf, "Event.csv")) / leads;
    double opps = (double)rows(sf, "Opportunity.csv") / leads;
    cr_expect(touches > 2.6 && touches < 3.4, "touches per lead %.3f", touches);
    cr_expect(activities > 4.4 && activities < 5.8, "activities per lead %.3f", activities);
    cr_expect(opps > 0.12 && opps < 0.18, "opportunities per lead %.3f", opps);
    /* the HubSpot form carries the same records */
    cr_expect_eq(rows(hs, "contacts.csv"), leads);
    cr_expect_eq(rows(hs, "deals.csv"), rows(sf, "Opportunity.csv"));
    cr_expect_eq(rows(hs, "calls.csv") + rows(hs, "emails.csv"), rows(sf, "Task.csv"));
    cr_expect_eq(rows(hs, "meetings.csv"), rows(sf, "Event.csv"));
    cr_expect_eq(rows(hs, "owners.csv"), 20);
}

/* Every generated file is named by its profile's file patterns, and its
 * header holds a source of each column the profile requires. */
ParameterizedTestParameters(gen, files_and_headers_match_profile)
{
    static fixture_case cases[] = {
        {"salesforce", "", 0.0002}, {"hubspot", "", 0.0002},   {"marketo", "", 0.0002},
        {"pipedrive", "", 0.0002},  {"generic", "", 0.0002},   {"salesforce-report", "", 0.0002},
    };
    return cr_make_param_array(fixture_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(fixture_case *c, gen, files_and_headers_match_profile, .init = make_tmpdir,
                  .fini = remove_tmpdir)
{
    char err[LP_ERRMSG_SIZE];
    cr_assert_eq(lp_fixtures_generate(PROFILES, c->dialect, c->scale, 1, tmpdir, err), LP_OK,
                 "%s", err);
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, c->dialect, NULL, &m, err), LP_OK, "%s", err);
    struct dirent **list;
    int n = scandir(tmpdir, &list, NULL, alphasort);
    int files = 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (name[0] == '.') {
            free(list[i]);
            continue;
        }
        int table = -1;
        for (int t = 0; t < LP_TABLE_COUNT && table < 0; t++)
            for (size_t f = 0; f < m->tables[t].nfiles; f++)
                if (!fnmatch(m->tables[t].files[f], name, 0)) table = t;
        cr_expect_geq(table, 0, "%s: %s is named by no table", c->dialect, name);
        char path[256];
        snprintf(path, sizeof path, "%s/%.100s", tmpdir, name);
        char **headers = NULL;
        size_t nh = 0;
        cr_assert_eq(lp_detect_header_read(path, &headers, &nh), LP_OK);
        size_t ncanon;
        const lp_canon_column *canon = lp_canon_columns((lp_table_id)(table < 0 ? 0 : table), &ncanon);
        for (size_t k = 0; table >= 0 && k < ncanon; k++) {
            if (!canon[k].required) continue;
            const lp_column_map *cm = NULL;
            for (size_t x = 0; x < m->tables[table].ncolumns; x++)
                if (!strcmp(m->tables[table].columns[x].canonical, canon[k].name))
                    cm = &m->tables[table].columns[x];
            bool found = false;
            for (size_t s = 0; cm && s < cm->nsources; s++)
                for (size_t h = 0; h < nh; h++) found |= !strcmp(cm->sources[s], headers[h]);
            cr_expect(found, "%s: %s has no source of %s", c->dialect, name, canon[k].name);
        }
        lp_detect_header_free(headers, nh);
        files++;
        free(list[i]);
    }
    free(list);
    cr_expect_geq(files, 2);
    lp_mapping_free(m);
}

Test(gen, usage_errors, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char err[LP_ERRMSG_SIZE];
    cr_expect_eq(lp_fixtures_generate(PROFILES, "zoho", 0.001, 1, tmpdir, err), LP_ERR_USAGE);
    cr_expect(strstr(err, "unknown dialect \"zoho\""), "%s", err);
    cr_expect_eq(lp_fixtures_generate(PROFILES, "generic", 0, 1, tmpdir, err), LP_ERR_USAGE);
    cr_expect_eq(lp_fixtures_generate(PROFILES, "generic", 21, 1, tmpdir, err), LP_ERR_USAGE);
    cr_expect_eq(lp_fixtures_generate(PROFILES, "generic", 0.001, 1, "/proc/nope/out", err),
                 LP_ERR_OUTPUT);
    const char *const *names = lp_fixtures_dialects();
    int count = 0;
    while (names[count]) count++;
    cr_expect_eq(count, 6);
}

/* Writes PROFILES/NAME.yaml into tmpdir/profiles/NAME.yaml with the first
 * occurrence of `from` replaced by `to`. */
static void edited_profile(const char *name, const char *from, const char *to)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.yaml", PROFILES, name);
    size_t len = 0;
    char *text = slurp(path, &len);
    cr_assert_not_null(text, "%s", path);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "%s holds no \"%s\"", path, from);
    snprintf(path, sizeof path, "%s/profiles", tmpdir);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/profiles/%s.yaml", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fwrite(text, 1, (size_t)(at - text), fp);
    fputs(to, fp);
    fputs(at + strlen(from), fp);
    cr_assert_eq(fclose(fp), 0);
    free(text);
}

/* The profile is the one place a dialect's columns are named: renaming a
 * column there renames it in the generated file, and nothing else changes. */
Test(gen, column_names_come_from_the_profile, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char profiles[128], edited[128], plain[128], err[LP_ERRMSG_SIZE];
    snprintf(profiles, sizeof profiles, "%s/profiles", tmpdir);
    snprintf(edited, sizeof edited, "%s/edited", tmpdir);
    snprintf(plain, sizeof plain, "%s/plain", tmpdir);
    edited_profile("generic", "    mql_at: mql_at\n", "    mql_at: [MQL Date, mql_at]\n");
    cr_assert_eq(lp_fixtures_generate(profiles, "generic", 0.0002, 5, edited, err), LP_OK,
                 "%s", err);
    cr_assert_eq(lp_fixtures_generate(PROFILES, "generic", 0.0002, 5, plain, err), LP_OK,
                 "%s", err);
    char path[256];
    snprintf(path, sizeof path, "%s/leads.csv", edited);
    char **headers = NULL;
    size_t nh = 0;
    cr_assert_eq(lp_detect_header_read(path, &headers, &nh), LP_OK);
    cr_assert_eq(nh, 18);
    cr_expect_str_eq(headers[12], "status");
    cr_expect_str_eq(headers[13], "MQL Date");
    cr_expect_str_eq(headers[14], "sql_at");
    lp_detect_header_free(headers, nh);
    /* the rows below the header are the same bytes */
    size_t la = 0, lb = 0;
    char *a = slurp(path, &la);
    snprintf(path, sizeof path, "%s/leads.csv", plain);
    char *b = slurp(path, &lb);
    cr_assert(a && b);
    const char *ra = strchr(a, '\n'), *rb = strchr(b, '\n');
    cr_assert(ra && rb);
    cr_expect_eq(la - (size_t)(ra - a), lb - (size_t)(rb - b));
    cr_expect(!strcmp(ra, rb), "rows differ");
    static const char plain_header[] =
        "lead_id,created_at,source,campaign_id,owner_id,company,industry,employees,country,"
        "phone,email,score,status,mql_at,sql_at,disqualified_at,converted_at,opportunity_id";
    size_t hl = strlen(plain_header);
    cr_expect(rb - b == (ptrdiff_t)hl && !memcmp(b, plain_header, hl), "%.*s", (int)(rb - b), b);
    free(a);
    free(b);
}

/* A profile without a column the dialect's files carry is an error naming
 * the profile, the column and the file; no leads file is left behind. */
Test(gen, profile_missing_a_column, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char profiles[128], out[128], err[LP_ERRMSG_SIZE];
    snprintf(profiles, sizeof profiles, "%s/profiles", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    edited_profile("generic", "    disqualified_at: disqualified_at\n", "");
    cr_assert_eq(lp_fixtures_generate(profiles, "generic", 0.0002, 5, out, err), LP_ERR_CONFIG);
    cr_expect(strstr(err, "profile generic") && strstr(err, "leads.disqualified_at") &&
                  strstr(err, "leads.csv"), "%s", err);
    char path[256];
    snprintf(path, sizeof path, "%s/leads.csv", out);
    cr_expect_eq(access(path, F_OK), -1, "leads.csv was left behind");
    /* no profile at all */
    cr_expect_eq(lp_fixtures_generate(out, "generic", 0.0002, 5, out, err), LP_ERR_CONFIG);
}

/* A column the generator writes under its own name must not be one the
 * profile reads: that name belongs in the profile. */
Test(gen, profile_reads_a_column_the_generator_names, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    char profiles[128], out[128], err[LP_ERRMSG_SIZE];
    snprintf(profiles, sizeof profiles, "%s/profiles", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    edited_profile("salesforce", "    company: Company\n", "    company: [Company, FirstName]\n");
    cr_assert_eq(lp_fixtures_generate(profiles, "salesforce", 0.0002, 5, out, err),
                 LP_ERR_CONFIG);
    cr_expect(strstr(err, "\"FirstName\"") && strstr(err, "Lead.csv"), "%s", err);
}

static double median(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) { /* insertion sort: small samples */
        double x = v[i];
        size_t j = i;
        while (j && v[j - 1] > x) v[j] = v[j - 1], j--;
        v[j] = x;
    }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The planted effects hold in the model at a modest scale, and nothing
 * happens after the as-of instant. */
Test(gen, planted_effects_and_as_of)
{
    gen_ctx ctx;
    cr_assert_eq(lp_gen_ctx_init(&ctx, 0.02, 42), LP_OK);
    static double hours[GEN_TEAMS][4000];
    size_t nh[GEN_TEAMS] = {0};
    long star_mql = 0, star_opp = 0, other_mql = 0, other_opp = 0, mqls = 0, untouched = 0;
    long won[2] = {0}, closed[2] = {0};
    int64_t latest = 0;
    int64_t mid = (int64_t)(ctx.day0 + GEN_DAYS / 2) * 86400;
    gen_lead lead;
    gen_activity acts[GEN_MAX_ACTIVITIES];
    for (int64_t i = 0; i < ctx.nleads; i++) {
        lp_gen_lead_make(&ctx, i, &lead);
        int na = lp_gen_activities_make(&ctx, i, &lead, acts);
        int64_t events[] = {lead.created, lead.mql_at, lead.sql_at,
                            lead.has_opp ? lead.opp.created : 0};
        for (int k = 0; k < 4; k++) latest = events[k] > latest ? events[k] : latest;
        for (int k = 0; k < lead.ntouches; k++)
            cr_assert_leq(lead.touches[k].at, LP_GEN_AS_OF);
        for (int k = 0; k < na; k++) cr_assert_leq(acts[k].at, LP_GEN_AS_OF);
        if (!lead.mql_at) continue;
        mqls++;
        untouched += lead.untouched;
        if (lead.first_touch && nh[lead.team] < 4000)
            hours[lead.team][nh[lead.team]++] = (double)(lead.first_touch - lead.mql_at) / 3600;
        if (lead.first_campaign == ctx.star) star_mql++, star_opp += lead.has_opp;
        else other_mql++, other_opp += lead.has_opp;
        if (lead.channel == CH_INBOUND && lead.has_opp && lead.opp.closed) {
            int half = lead.opp.created >= mid;
            closed[half]++;
            won[half] += lead.opp.won;
        }
    }
    cr_expect_eq(latest, LP_GEN_AS_OF);
    double slow = median(hours[GEN_SLOW_TEAM], nh[GEN_SLOW_TEAM]);
    for (int t = 0; t < GEN_TEAMS; t++) {
        if (t == GEN_SLOW_TEAM) continue;
        double m = median(hours[t], nh[t]);
        cr_expect(slow > 3 * m, "slow team median %.1f h, team %d %.1f h", slow, t, m);
    }
    cr_expect_gt(star_mql, 50);
    double star_rate = (double)star_opp / star_mql, other_rate = (double)other_opp / other_mql;
    cr_expect(star_rate > 1.6 * other_rate, "star %.3f vs others %.3f", star_rate, other_rate);
    double untouched_share = (double)untouched / mqls;
    cr_expect(untouched_share > 0.03 && untouched_share < 0.10, "untouched %.3f", untouched_share);
    double first = (double)won[0] / closed[0], second = (double)won[1] / closed[1];
    cr_expect(second > first + 0.03, "inbound win rate %.3f then %.3f", first, second);
    lp_gen_ctx_clear(&ctx);
}

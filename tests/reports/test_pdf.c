/*
 * The leadership PDF, checked with the tools a reader's machine has:
 * qpdf --check (structure), pdffonts (embedding), pdftotext (words on
 * pages), pdfinfo (pages, paper, metadata). Inputs are built by hand.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp/pdf.h"
#include "lp/time.h"

/* ---- Running tools (fork + execvp, no shell) --------------------------- */

/* Runs argv with stdout into out_path (or /dev/null); returns exit status. */
static int run_tool(char *const argv[], const char *out_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);
        if (fd < 0 || null < 0) _exit(126);
        dup2(fd, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whole file as a NUL-terminated string (caller frees), NULL if missing. */
static char *slurp(const char *path, size_t *out_len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    size_t got = fread(data, 1, (size_t)n, fp);
    fclose(fp);
    data[got] = '\0';
    if (out_len) *out_len = got;
    return data;
}

/* Collapses runs of white space into one space (pdftotext wraps lines). */
static void squeeze(char *s)
{
    char *o = s;
    bool space = false;
    for (char *p = s; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = true;
            continue;
        }
        if (space && o != s) *o++ = ' ';
        space = false;
        *o++ = *p;
    }
    *o = '\0';
}

static char tmpdir[64];

/* The default wording (templates/wording.yaml), which the PDF takes its
 * words from: loaded through a one-section pack, so without any pack's
 * overrides, and lent to the hand-made templates below. */
static lp_template *wording;

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/lp-pdf-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    char pack[128], errmsg[LP_ERRMSG_SIZE];
    snprintf(pack, sizeof pack, "%s/wording-only.yaml", tmpdir);
    FILE *f = fopen(pack, "w");
    cr_assert_not_null(f);
    fputs("name: wording-only\nsections:\n  - {id: cover, kind: cover}\n", f);
    fclose(f);
    cr_assert_eq(lp_template_load(LP_SOURCE_DIR "/templates", pack, &wording, errmsg), LP_OK,
                 "%s", errmsg);
}

/* Removes the test's folder, unless LP_TEST_KEEP is set (to look at the
 * PDFs: its path is printed). */
static void remove_tmpdir(void)
{
    lp_template_free(wording);
    wording = NULL;
    if (getenv("LP_TEST_KEEP")) {
        fprintf(stderr, "kept %s\n", tmpdir);
        return;
    }
    DIR *dir = opendir(tmpdir);
    if (!dir) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(tmpdir);
}

/* Text of pages first..last (0 = all; a page range keeps the layout, so
 * that table rows read across), white space squeezed. */
static char *pdf_text(const char *pdf, int first, int last)
{
    char out[128], f[16], l[16];
    snprintf(out, sizeof(out), "%s/text.txt", tmpdir);
    snprintf(f, sizeof(f), "%d", first);
    snprintf(l, sizeof(l), "%d", last);
    char *all[] = {"pdftotext", "-enc", "UTF-8", (char *)pdf, out, NULL};
    char *some[] = {"pdftotext", "-layout", "-enc", "UTF-8", "-f", f, "-l", l,
                    (char *)pdf, out, NULL};
    cr_assert_eq(run_tool(first ? some : all, NULL), 0, "pdftotext failed");
    char *text = slurp(out, NULL);
    cr_assert_not_null(text);
    squeeze(text);
    return text;
}

/* A "Key: value" line of pdfinfo's output (caller frees). */
static char *pdfinfo_field(const char *pdf, const char *key)
{
    char out[128];
    snprintf(out, sizeof(out), "%s/info.txt", tmpdir);
    char *argv[] = {"pdfinfo", "-isodates", (char *)pdf, NULL};
    cr_assert_eq(run_tool(argv, out), 0, "pdfinfo failed");
    char *text = slurp(out, NULL);
    char *line = strstr(text, key);
    cr_assert_not_null(line, "pdfinfo has no %s", key);
    line += strlen(key);
    while (*line == ' ' || *line == ':') line++;
    size_t n = strcspn(line, "\n");
    char *value = strndup(line, n);
    free(text);
    return value;
}

/* ---- Inputs built by hand ---------------------------------------------- */

/* Adds a table whose columns are "name:T" pairs separated by commas (T one
 * of S I D T B) and whose rows are '|'-separated fields ("" is null). */
static lp_table *add_table(lp_results *r, const char *name, const char *spec,
                           const char *const *rows, size_t nrows)
{
    lp_table *t = lp_table_new(name);
    char types[32];
    size_t ncols = 0;
    char *copy = strdup(spec);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        char *colon = strchr(tok, ':');
        *colon = '\0';
        char type = colon[1];
        lp_type lt = type == 'S' ? LP_TYPE_STRING : type == 'I' ? LP_TYPE_INT64
                   : type == 'T' ? LP_TYPE_INSTANT : type == 'B' ? LP_TYPE_BOOL
                   : LP_TYPE_DOUBLE;
        lp_column *c;
        cr_assert_eq(lp_table_add_column(t, tok, lt, &c), LP_OK);
        types[ncols++] = type;
    }
    free(copy);
    for (size_t r_i = 0; r_i < nrows; r_i++) {
        char *row = strdup(rows[r_i]);
        char *p = row;
        for (size_t c = 0; c < ncols; c++) {
            char *bar = strchr(p, '|');
            if (bar) *bar = '\0';
            lp_column *col = t->columns[c];
            if (*p == '\0') lp_column_append_null(col);
            else if (types[c] == 'S') lp_column_append_string(col, p, strlen(p));
            else if (types[c] == 'I') lp_column_append_int64(col, atoll(p));
            else if (types[c] == 'B') lp_column_append_bool(col, *p == '1');
            else if (types[c] == 'T') {
                int64_t instant;
                cr_assert_eq(lp_instant_parse_iso(p, &instant), LP_OK, "%s", p);
                lp_column_append_int64(col, instant);
            } else lp_column_append_double(col, strtod(p, NULL));
            p = bar ? bar + 1 : p + strlen(p);
        }
        free(row);
    }
    cr_assert_eq(lp_table_finish(t), LP_OK, "%s", name);
    cr_assert_eq(lp_results_add(r, t), LP_OK);
    return t;
}

#define ROWS(...) (const char *const[]){__VA_ARGS__}, \
    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static lp_settings settings;
static lp_dataset dataset;
static lp_file_report files[2];
static lp_reject rejects[1];
static lp_quality_note notes[1];

static lp_results *make_results(size_t nbreaches)
{
    memset(&settings, 0, sizeof(settings));
    strcpy(settings.time_zone, "UTC");
    strcpy(settings.currency, "USD");
    strcpy(settings.paper, "A4");
    settings.sla_hours = 24;
    settings.sla_target = 0.95;
    lp_results *r = lp_results_new();
    cr_assert_not_null(r);
    lp_instant_parse_iso("2026-11-25T09:00:00Z", &r->as_of);
    strcpy(r->period_label, "2026-W47");
    r->settings = &settings;

    files[0] = (lp_file_report){.path = "exports/Lead.csv", .rows_read = 1250,
                                .rows_loaded = 1249, .rows_rejected = 1};
    files[1] = (lp_file_report){.path = "exports/Task.csv", .rows_read = 8800,
                                .rows_loaded = 8800};
    rejects[0] = (lp_reject){"exports/Lead.csv", 1043, "CreatedDate", "31/02/2026",
                             "\"31/02/2026\" is not a date"};
    notes[0] = (lp_quality_note){"leads", "duplicate_id", 3,
                                 "3 leads appear twice; the later row was kept."};
    dataset = (lp_dataset){.files = files, .nfiles = 2, .rejects = rejects, .nrejects = 1,
                           .notes = notes, .nnotes = 1};
    r->dataset = &dataset;

    add_table(r, "mql_trend", "period:S,mqls:I,sqls:I,mql_target:D",
              ROWS("2026-W35|380|150|", "2026-W36|395|160|", "2026-W37|402|149|",
                   "2026-W38|370|141|", "2026-W39|410|170|", "2026-W40|388|158|",
                   "2026-W41|399|162|", "2026-W42|420|171|", "2026-W43|401|150|",
                   "2026-W44|415|168|", "2026-W45|390|155|", "2026-W46|374|149|",
                   "2026-W47|412|163|400"));
    add_table(r, "volume_by_source", "key:S,mqls:I,sqls:I,accepted:I,acceptance_rate:D,low:D,high:D",
              ROWS("Web|250|110|110|0.44|0.38|0.50", "Webinar|102|33|33|0.3235|0.24|0.42",
                   "Event|60|20|20|0.333|0.22|0.46"));
    add_table(r, "campaigns",
              "campaign_id:S,name:S,touches:I,responders:I,response_rate:D,leads_created:I,"
              "mqls:D,sqls:D,opportunities:D,pipeline:D,won:D,cost:D,cost_per_lead:D,"
              "cost_per_mql:D,cost_per_opportunity:D,return:D",
              ROWS("C1|Autumn webinar|900|210|0.2333|180|95|40|12|240000|60000|12000|66.67|126.32|1000|4",
                   "C2|Paid search|5000|600|0.12|520|180|70|20|410000|90000|30000|57.69|166.67|1500|2",
                   "C3|Trade show Berlin|300|120|0.4|90|40|22|9|380000|150000|45000|500|1125|5000|2.333",
                   "(no campaign)|(no campaign)|0|0||0|97|31|8|120000|20000||||"));
    add_table(r, "attribution", "campaign_id:S,name:S,model:S,mqls:D,sqls:D,opportunities:D,pipeline:D,won:D",
              ROWS("C1|Autumn webinar|first_touch|95|40|12|240000|60000",
                   "C1|Autumn webinar|last_touch|80|35|10|200000|50000",
                   "C1|Autumn webinar|linear|88|37|11|220000|55000",
                   "C2|Paid search|first_touch|180|70|20|410000|90000",
                   "C2|Paid search|last_touch|200|72|22|430000|95000",
                   "C2|Paid search|linear|190|71|21|420000|92000"));
    add_table(r, "sla_curve", "team:S,hours:D,touched_share:D",
              ROWS("All|0.5|0.1", "All|3|0.35", "All|10|0.6", "All|22|0.82", "All|40|0.9",
                   "East|1|0.15", "East|5|0.5", "East|20|0.85", "East|30|0.92",
                   "West|2|0.05", "West|12|0.4", "West|26|0.7", "West|60|0.8"));
    add_table(r, "sla_by_team",
              "team:S,eligible:I,within:I,compliance:D,low:D,high:D,median_hours:D,p90_hours:D,"
              "untouched:I,pending:I,followup_eligible:I,followup_met:I,followup_compliance:D",
              ROWS("East|200|184|0.92|0.876|0.951|4.5|20|3|2|150|120|0.8",
                   "West|180|137|0.7611|0.694|0.818|12|60|10|4|140|90|0.643"));
    const char *breach_rows[200];
    char storage[200][96];
    if (nbreaches > 200) nbreaches = 200;
    for (size_t i = 0; i < nbreaches; i++) {
        snprintf(storage[i], sizeof(storage[i]),
                 "L%04zu|owner%zu|%s|2026-11-%02zuT%02zu:00:00Z|2026-11-20T10:00:00Z|%zu.5",
                 i, i % 7, i % 2 ? "East" : "West", 16 + i % 5, i % 24, (i * 37) % 90);
        breach_rows[i] = storage[i];
    }
    add_table(r, "breaches", "lead_id:S,owner_id:S,team:S,mql_at:T,first_touch_at:T,hours_late:D",
              breach_rows, nbreaches);
    add_table(r, "funnel", "step:S,reached:I,rate:D,low:D,high:D",
              ROWS("lead|12400|||", "mql|3100|0.25|0.242|0.258", "sql|1200|0.387|0.37|0.404",
                   "opportunity|400|0.333|0.307|0.36", "won|95|0.2375|0.199|0.28"));
    add_table(r, "routing", "team:S,mqls:I,won:I,rate:D,low:D,high:D",
              ROWS("East|900|60|0.0667|0.055|0.08", "West|850|40|0.047|0.037|0.059",
                   "Partners|300|25|0.083|0.06|0.11"));
    add_table(r, "forecast", "period:S,mql_forecast:D,low:D,high:D",
              ROWS("2026-W48|405|370|440", "2026-W49|407|369|445", "2026-W50|409|368|450",
                   "2026-W51|411|366|456"));
    add_table(r, "pipeline_by_stage", "key:S,count:I,amount:D",
              ROWS("Discovery|14|420000", "Proposal|6|510000", "Negotiation|2|270000"));
    add_table(r, "pipeline_by_source", "key:S,count:I,amount:D",
              ROWS("Web|12|700000", "Webinar|10|500000"));
    add_table(r, "won_by_source", "key:S,count:I,amount:D",
              ROWS("Web|3|180000", "Event|2|120000"));
    add_table(r, "switched_off", "figure:S,reason:S",
              ROWS("inbound_cycle_median_days|opportunities have no created_at column"));
    return r;
}

static lp_template_section section(const char *id, const char *kind, const char *title,
                                   const char *table, bool pdf)
{
    return (lp_template_section){.id = (char *)id, .kind = (char *)kind, .title = (char *)title,
                                 .table = (char *)table, .pdf = pdf, .workbook = true};
}

static lp_template_section sections[16];

static lp_template make_template(bool with_breaches)
{
    size_t n = 0;
    sections[n++] = section("cover", "cover", "Cover", NULL, true);
    sections[n++] = section("headlines", "headlines", "This week in plain English", NULL, true);
    sections[n++] = section("volume", "volume", "Qualified lead volume", "volume_by_source", true);
    sections[n++] = section("campaigns", "campaigns", "Campaign effectiveness", "campaigns", true);
    sections[n++] = section("pipeline", "pipeline", "Inbound-sourced pipeline", NULL, true);
    sections[n++] = section("sla", "sla", "Speed to lead", NULL, true);
    sections[n++] = section("won", "won", "Closed business from inbound", "won_by_source", true);
    sections[n++] = section("funnel", "funnel", "The funnel", "funnel", true);
    sections[n++] = section("routing", "routing", "Routing", "routing", true);
    sections[n++] = section("forecast", "forecast", "Forecast", "forecast", true);
    sections[n++] = section("detail", "detail", "Detail rows for analysts", "breaches", false);
    if (with_breaches)
        sections[n++] = section("breaches", "breaches", "Every breach", "breaches", true);
    sections[n++] = section("quality", "quality", "Data quality", NULL, true);
    sections[n++] = section("definitions", "definitions", "Definitions", NULL, true);
    static char *campaign_cols[] = {"name", "mqls", "cost", "cost_per_mql", "pipeline", "won"};
    sections[3].columns = campaign_cols;
    sections[3].ncolumns = 6;
    return (lp_template){.name = "weekly-leadership", .title = "Weekly leadership pack",
                         .audience = "VP Sales, VP Marketing, CEO", .sections = sections,
                         .nsections = n, .text_keys = wording->text_keys,
                         .text_values = wording->text_values, .ntexts = wording->ntexts};
}

static char *headlines[] = {
    "412 qualified leads this week, up 38 (10%) on last week, within normal week-to-week variation.",
    "Sales reached 87% of this week's qualified leads within a day; the target is 95%.",
    "Inbound opportunities added $1.2M of pipeline.",
};
static lp_kpi kpis[] = {
    {"mql_count", "Qualified leads", "412", "up 38 (10%) on last week", "above target", false},
    {"sla_compliance", "Reached within a day", "87%", "down 4 points on last week",
     "below target", true},
    {"inbound_pipeline_amount", "Inbound pipeline", "$1.2M", "", "no target", false},
    {"inbound_won_amount", "Won from inbound", "$300k", "up $40k (15%) on last week",
     "no target", false},
};
static char *changes[] = {"Sales accepted fewer Webinar leads than usual (32%, against 44% for Web)."};
static char *volume_sentences[] = {"Web brought 250 of the 412 qualified leads.",
                                   "Acceptance held at 40%."};
static char *sla_sentences[] = {"East reached 92% of its leads within a day; West reached 76%."};
static lp_narrative_section nsections[] = {
    {"volume", volume_sentences, 2, NULL},
    {"sla", sla_sentences, 1, NULL},
};
static char *terms[] = {"MQL", "SLA compliance"};
static char *texts[] = {"A marketing-qualified lead: a lead with mql_at set.",
                        "Of the MQLs handed off in the period, the share first touched within the threshold."};
static char *caveats[] = {"Sales cycle is left out: opportunities have no created date."};

static lp_narrative make_narrative(void)
{
    return (lp_narrative){
        .title = "Weekly leadership pack",
        .period_words = "the week of 16 November 2026",
        .as_of_words = "25 November 2026, 09:00 UTC",
        .headlines = headlines, .nheadlines = 3,
        .changes = changes, .nchanges = 1,
        .kpis = kpis, .nkpis = 4,
        .sections = nsections, .nsections = 2,
        .glossary_terms = terms, .glossary_texts = texts, .nglossary = 2,
        .caveats = caveats, .ncaveats = 1,
    };
}

static void write_pack(lp_results *r, lp_template *tpl, const char *name, char *out_path)
{
    lp_narrative n = make_narrative();
    sprintf(out_path, "%s/%s", tmpdir, name);
    char errmsg[LP_ERRMSG_SIZE];
    lp_status st = lp_pdf_write(r, &n, tpl, out_path, errmsg);
    cr_assert_eq(st, LP_OK, "lp_pdf_write: %s", errmsg);
}

/* ---- Tests ------------------------------------------------------------- */

TestSuite(pdf, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 60);

Test(pdf, structure_fonts_text_and_pages)
{
    lp_results *r = make_results(12);
    lp_template tpl = make_template(false);
    char path[128];
    write_pack(r, &tpl, "pack.pdf", path);

    char *check[] = {"qpdf", "--check", path, NULL};
    cr_expect_eq(run_tool(check, NULL), 0, "qpdf --check failed");

    /* pdffonts: after two header lines, one line per font; the "emb"
     * column (yes/no) is the 5th from the end. */
    char fonts_out[128];
    snprintf(fonts_out, sizeof(fonts_out), "%s/fonts.txt", tmpdir);
    char *fonts[] = {"pdffonts", path, NULL};
    cr_assert_eq(run_tool(fonts, fonts_out), 0);
    char *list = slurp(fonts_out, NULL);
    size_t nfonts = 0;
    char *save = NULL;
    int line_no = 0;
    for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line_no++ < 2) continue;
        char *fields[32];
        size_t nf = 0;
        char *s2 = NULL;
        for (char *f = strtok_r(line, " ", &s2); f && nf < 32; f = strtok_r(NULL, " ", &s2))
            fields[nf++] = f;
        cr_assert(nf >= 6);
        cr_expect_str_eq(fields[nf - 5], "yes", "font %s not embedded", fields[0]);
        cr_expect(strstr(fields[0], "DejaVuSans") != NULL, "font %s", fields[0]);
        nfonts++;
    }
    cr_expect(nfonts >= 2, "regular and bold expected, found %zu", nfonts);
    free(list);

    char *text = pdf_text(path, 0, 0);
    for (size_t i = 0; i < 3; i++) {
        char want[256];
        snprintf(want, sizeof(want), "%s", headlines[i]);
        squeeze(want);
        cr_expect(strstr(text, want) != NULL, "headline missing: %s", want);
    }
    for (size_t i = 1; i < tpl.nsections; i++) {
        if (!tpl.sections[i].pdf) continue;
        cr_expect(strstr(text, tpl.sections[i].title) != NULL, "title missing: %s",
                  tpl.sections[i].title);
    }
    cr_expect(strstr(text, "Detail rows for analysts") == NULL, "a workbook-only section");
    cr_expect(strstr(text, "Sales cycle is left out") != NULL, "caveat missing");
    cr_expect(strstr(text, "Autumn webinar") != NULL);
    cr_expect(strstr(text, "$1,125") != NULL, "cost per MQL as money, whole dollars");
    free(text);

    /* Twelve PDF sections, each fitting one page: twelve pages. */
    char *pages = pdfinfo_field(path, "Pages");
    cr_expect_str_eq(pages, "12");
    free(pages);

    /* The cover is page 1; the SLA section is the 6th PDF section. */
    text = pdf_text(path, 6, 6);
    cr_expect(strstr(text, "Speed to lead") != NULL);
    cr_expect(strstr(text, "Page 6 of 12") != NULL, "footer: %s", text);
    cr_expect(strstr(text, "the week of 16 November 2026") != NULL, "footer period");
    free(text);
    lp_results_free(r);
}

Test(pdf, metadata_bookmarks_and_reproducible_bytes)
{
    lp_results *r = make_results(5);
    lp_template tpl = make_template(false);
    char a[128], b[128];
    write_pack(r, &tpl, "a.pdf", a);
    write_pack(r, &tpl, "b.pdf", b);
    size_t na = 0, nb = 0;
    char *da = slurp(a, &na), *db = slurp(b, &nb);
    cr_expect_eq(na, nb);
    cr_expect(na == nb && memcmp(da, db, na) == 0, "the same input gave different bytes");
    /* The document language, in the catalogue that the last update
     * (an incremental update after cairo's output) defines. */
    cr_expect(memmem(da, na, "/Type /Catalog", 14) != NULL);
    cr_expect(memmem(da, na, "/Lang (en)", 10) != NULL, "no /Lang in the catalogue");
    free(da);
    free(db);

    char *author = pdfinfo_field(a, "Author");
    cr_expect_str_eq(author, "leadpack");
    free(author);
    char *title = pdfinfo_field(a, "Title");
    cr_expect_str_eq(title, "Weekly leadership pack");
    free(title);
    /* The as-of given above, 2026-11-25T09:00:00Z. */
    char *created = pdfinfo_field(a, "CreationDate");
    cr_expect(strncmp(created, "2026-11-25T09:00:00", 19) == 0, "CreationDate %s", created);
    free(created);
    /* A4 is 595.276 x 841.89 points (ISO 216: 210 x 297 mm at 72/25.4). */
    char *size = pdfinfo_field(a, "Page size");
    cr_expect(strncmp(size, "595.27", 6) == 0 && strstr(size, "841.89"), "page size %s", size);
    free(size);

    char json[128];
    snprintf(json, sizeof(json), "%s/outlines.json", tmpdir);
    char *outlines[] = {"qpdf", "--json", "--json-key=outlines", a, NULL};
    cr_assert_eq(run_tool(outlines, json), 0);
    char *text = slurp(json, NULL);
    cr_expect(strstr(text, "\"title\": \"Speed to lead\"") != NULL, "bookmark: %s", text);
    cr_expect(strstr(text, "\"title\": \"Definitions\"") != NULL);
    free(text);

    /* No temporary files left beside the output. */
    DIR *dir = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(dir)))
        cr_expect(strstr(e->d_name, ".tmp-") == NULL, "left behind: %s", e->d_name);
    closedir(dir);
    lp_results_free(r);
}

Test(pdf, long_table_breaks_across_pages_with_repeated_header)
{
    lp_results *r = make_results(150);
    lp_template tpl = make_template(true);
    char path[128];
    write_pack(r, &tpl, "long.pdf", path);
    char *check[] = {"qpdf", "--check", path, NULL};
    cr_expect_eq(run_tool(check, NULL), 0);
    /* Thirteen PDF sections; "Every breach" is the 11th and starts page 11.
     * A4 is 841.89 pt tall; less 48 pt margins top and bottom and a 26 pt
     * footer band, rows may use 719.9 pt. On the first page the 17 pt
     * heading (about 33 pt with its rule and gap) and the 15.5 pt header row
     * leave room for 49 rows of 13.5 pt; on a continued page the 11 pt
     * "(continued)" heading (about 23 pt) leaves room for 50. 150 rows =
     * 49 + 50 + 50 + 1, but no page holds a lone row: the last page takes
     * a row from the one before, 49 + 50 + 49 + 2 (L0000-L0048,
     * L0049-L0098, L0099-L0147, L0148-L0149): four pages, so 12 + 4 = 16
     * pages in all. */
    char *pages = pdfinfo_field(path, "Pages");
    cr_expect_str_eq(pages, "16");
    free(pages);
    char *text = pdf_text(path, 11, 11);
    cr_expect(strstr(text, "Every breach") != NULL);
    cr_expect(strstr(text, "(continued)") == NULL);
    cr_expect(strstr(text, "Hours late") != NULL);
    free(text);
    for (int page = 12; page <= 14; page++) {
        text = pdf_text(path, page, page);
        cr_expect(strstr(text, "Every breach (continued)") != NULL, "page %d: %.200s", page, text);
        cr_expect(strstr(text, "Lead Owner Team Handed off First touch Hours late") != NULL,
                  "header repeated on page %d", page);
        free(text);
    }
    text = pdf_text(path, 13, 13);
    cr_expect(strstr(text, "L0099") != NULL && strstr(text, "L0147") != NULL);
    cr_expect(strstr(text, "L0148") == NULL, "no lone last row: %.200s", text);
    free(text);
    text = pdf_text(path, 14, 14);
    cr_expect(strstr(text, "L0148") != NULL && strstr(text, "L0149") != NULL);
    cr_expect(strstr(text, "L0147") == NULL);
    free(text);
    text = pdf_text(path, 15, 15);
    cr_expect(strstr(text, "Data quality") != NULL);
    free(text);
    lp_results_free(r);
}

Test(pdf, letter_paper)
{
    lp_results *r = make_results(3);
    strcpy(settings.paper, "Letter");
    lp_template tpl = make_template(false);
    char path[128];
    write_pack(r, &tpl, "letter.pdf", path);
    char *size = pdfinfo_field(path, "Page size");
    cr_expect(strncmp(size, "612 x 792", 9) == 0, "page size %s", size);
    free(size);
    lp_results_free(r);
}

Test(pdf, unwritable_path_leaves_nothing)
{
    lp_results *r = make_results(3);
    lp_template tpl = make_template(false);
    lp_narrative n = make_narrative();
    char errmsg[LP_ERRMSG_SIZE];
    lp_status st = lp_pdf_write(r, &n, &tpl, "/nonexistent-dir/pack.pdf", errmsg);
    cr_expect_eq(st, LP_ERR_OUTPUT);
    cr_expect(strstr(errmsg, "/nonexistent-dir/pack.pdf") != NULL, "errmsg: %s", errmsg);
    cr_expect_eq(lp_pdf_write(NULL, &n, &tpl, "x.pdf", errmsg), LP_ERR_USAGE);
    lp_results_free(r);
}

Test(pdf, missing_tables_still_give_every_page)
{
    /* An empty result set: every section still starts its page. */
    lp_results *r = lp_results_new();
    strcpy(r->period_label, "2026-W47");
    lp_template tpl = make_template(false);
    char path[128];
    write_pack(r, &tpl, "empty.pdf", path);
    char *pages = pdfinfo_field(path, "Pages");
    cr_expect_str_eq(pages, "12");
    free(pages);
    lp_results_free(r);
}

Test(pdf, out_of_memory_fails_cleanly)
{
    lp_results *r = make_results(3);
    lp_template tpl = make_template(false);
    lp_narrative n = make_narrative();
    char path[128], errmsg[LP_ERRMSG_SIZE];
    snprintf(path, sizeof(path), "%s/oom.pdf", tmpdir);
    for (long k = 1; k < 40; k++) {
        lp_alloc_fail_after(k);
        lp_status st = lp_pdf_write(r, &n, &tpl, path, errmsg);
        lp_alloc_fail_after(0);
        if (st == LP_OK) break;
        cr_expect_eq(st, LP_ERR_NOMEM, "allocation %ld: %s", k, lp_status_str(st));
        cr_expect_eq(access(path, F_OK), -1, "a file after failure %ld", k);
    }
    lp_results_free(r);
}

Test(pdf, words_come_from_the_wording)
{
    /* A pack that rewords two of the PDF's own keys: page 1 shows the new
     * words, so they come from the wording, not from the code. */
    lp_results *r = make_results(3);
    lp_template tpl = make_template(false);
    char **values = malloc(tpl.ntexts * sizeof(char *));
    cr_assert_not_null(values);
    size_t replaced = 0;
    for (size_t i = 0; i < tpl.ntexts; i++) {
        values[i] = tpl.text_values[i];
        if (strcmp(tpl.text_keys[i], "pdf.cover.in_brief") == 0)
            values[i] = "Kurz gesagt", replaced++;
        else if (strcmp(tpl.text_keys[i], "pdf.page.number") == 0)
            values[i] = "Seite {page} von {pages}", replaced++;
    }
    cr_assert_eq(replaced, 2, "wording.yaml lacks pdf.cover.in_brief or pdf.page.number");
    tpl.text_values = values;
    char path[128];
    write_pack(r, &tpl, "reworded.pdf", path);
    char *text = pdf_text(path, 1, 1);
    cr_expect(strstr(text, "Kurz gesagt") != NULL, "page 1: %.300s", text);
    cr_expect(strstr(text, "In brief") == NULL);
    cr_expect(strstr(text, "Seite 1 von ") != NULL && strstr(text, "Page 1 of") == NULL,
              "page 1: %.300s", text);
    free(text);
    free(values);
    lp_results_free(r);
}

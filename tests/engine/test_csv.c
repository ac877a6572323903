/* The streaming CSV reader. Expected records were written out by hand from
 * the fixture text (fixtures/quirks/, made by the Python lines quoted in
 * each test); digests come from the sha256sum tool. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp/csv.h"

#define QUIRKS LP_SOURCE_DIR "/fixtures/quirks/"

/* Records as text, "LINE:f1|f2|...\n" each; chunks collect their own
 * and are appended in order by chunk_done. */
typedef struct capture {
    lp_buf out;
    lp_buf header;
    lp_csv_dialect dialect;
    size_t chunks_done;
    size_t bad_lines;   /* records whose first field (an expected line) differs */
    bool check_lines;
} capture;

typedef struct capture_chunk {
    lp_buf out;
    capture *cap;
    size_t bad_lines;
} capture_chunk;

static void put_record(lp_buf *b, const lp_csv_record *rec)
{
    lp_buf_printf(b, "%zu:", rec->line);
    for (size_t i = 0; i < rec->nfields; i++) {
        if (i) lp_buf_puts(b, "|");
        lp_buf_append(b, rec->fields[i], rec->lens[i]);
        cr_assert_eq(strlen(rec->fields[i]), rec->lens[i]);
    }
    lp_buf_puts(b, "\n");
}

static lp_status cap_header(void *ctx, const lp_csv_record *h, const lp_csv_dialect *d)
{
    capture *c = ctx;
    c->dialect = *d;
    put_record(&c->header, h);
    return LP_OK;
}

static lp_status cap_chunk_new(void *ctx, void **out)
{
    capture_chunk *ch = calloc(1, sizeof *ch);
    ch->cap = ctx;
    *out = ch;
    return LP_OK;
}

static lp_status cap_record(void *chunk, const lp_csv_record *rec)
{
    capture_chunk *ch = chunk;
    if (ch->cap->check_lines) {
        if ((size_t)strtoull(rec->fields[0], NULL, 10) != rec->line) ch->bad_lines++;
        return LP_OK;
    }
    put_record(&ch->out, rec);
    return LP_OK;
}

static lp_status cap_chunk_done(void *ctx, void *chunk)
{
    capture *c = ctx;
    capture_chunk *ch = chunk;
    if (ch->out.len) lp_buf_append(&c->out, ch->out.data, ch->out.len);
    c->bad_lines += ch->bad_lines;
    c->chunks_done++;
    lp_buf_reset(&ch->out);
    free(ch);
    return LP_OK;
}

static void cap_chunk_free(void *ctx, void *chunk)
{
    (void)ctx;
    capture_chunk *ch = chunk;
    lp_buf_reset(&ch->out);
    free(ch);
}

static lp_status read_capture(const char *path, const lp_csv_options *opts, capture *c,
                              lp_csv_info *info, char *errmsg)
{
    memset(c, 0, sizeof *c);
    lp_csv_handler h = {c, cap_header, cap_chunk_new, cap_record, cap_chunk_done, cap_chunk_free};
    return lp_csv_read(path, opts, &h, info, errmsg);
}

static void capture_free(capture *c)
{
    lp_buf_reset(&c->out);
    lp_buf_reset(&c->header);
}

typedef struct dialect_case {
    char file[40];
    char describe[64];
    char header[64];
    char records[200];
} dialect_case;

ParameterizedTestParameters(csv, dialects)
{
    static dialect_case cases[] = {
        {"comma_quoted.csv", "comma, UTF-8, LF", "1:lead_id|company|note|created_at\n",
         "2:L1|Acme, Inc.|He said \"hi\"|2026-11-20T14:03:11Z\n"
         "3:L2|Multi\nLine Co|two\nlines|2026-11-20 09:00\n"
         "7:L3|Plain||11/20/2026 2:03 PM\n"},
        {"semicolon_decimal_comma.csv", "semicolon, UTF-8 with BOM, CRLF", "1:Id|Name|Amount|Close\n",
         "2:O1|M\xC3\xBCller GmbH|1.234,50 EUR|20/11/2026\n"
         "3:O2|Semi;colon AG|-17,5|01/12/2026\n"},
        {"tab.tsv", "tab, UTF-8, LF", "1:Id|Name|Score\n",
         "2:T1|Tab, Comma Ltd|12.5\n3:T2|Second|7\n"},
        {"pipe.csv", "pipe, UTF-8, LF", "1:Id|Name|Score\n",
         "2:P1|Pipe; Inc|1\n3:P2|Quoted|Pipe|2\n"},
        {"utf16le_bom.csv", "tab, UTF-16LE with BOM, CRLF", "1:Id|City|Amount\n",
         "2:U1|K\xC3\xB8" "benhavn|10\n3:U2|\xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x98\x80|20\n"},
        {"cp1252.csv", "comma, Windows-1252, LF", "1:Id|City|Price\n",
         "2:C1|Z\xC3\xBCrich|\xE2\x82\xAC" "5\n3:C2|Caf\xC3\xA9 \xE2\x80\x9CNoir\xE2\x80\x9D|7\n"},
        {"crlf.csv", "comma, UTF-8, CRLF", "1:Id|Note\n", "2:R1|first\r\nsecond\n5:R2|plain\n"},
        {"bom.csv", "comma, UTF-8 with BOM, LF", "1:Id|Name\n", "2:B1|With BOM\n"},
        {"cr_only.csv", "comma, UTF-8, CR", "1:Id|Name\n", "2:K1|Old Mac\n3:K2|Second\n"},
        {"single_quote.csv", "comma, UTF-8, LF, single quotes", "1:Id|Name\n",
         "2:S1|Smith, J\n3:S2|Doe\n"},
        {"header_only.csv", "comma, UTF-8, LF", "1:Id|CreatedDate\n", ""},
    };
    return cr_make_param_array(dialect_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(dialect_case *dc, csv, dialects)
{
    char path[512], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, QUIRKS "%s", dc->file);
    capture c;
    lp_csv_info info;
    lp_csv_options opts = {.threads = 1};
    cr_assert_eq(read_capture(path, &opts, &c, &info, errmsg), LP_OK, "%s", errmsg);
    char desc[64];
    lp_csv_dialect_describe(&info.dialect, desc, sizeof desc);
    cr_expect_str_eq(desc, dc->describe);
    cr_expect_str_eq(c.header.data ? c.header.data : "", dc->header);
    cr_expect_str_eq(c.out.data ? c.out.data : "", dc->records);
    capture_free(&c);
}

typedef struct bad_case {
    char file[40];
    lp_status status;
    char message[120];
} bad_case;

ParameterizedTestParameters(csv, unusable_files)
{
    static bad_case cases[] = {
        {"empty.csv", LP_ERR_INPUT, "empty.csv is empty"},
        {"binary.csv", LP_ERR_INPUT, "binary.csv is not a text file (it holds NUL bytes)"},
        {"no_such_file.csv", LP_ERR_INPUT, "no_such_file.csv: cannot open: No such file or directory"},
        {"unterminated.csv", LP_ERR_INPUT, "unterminated.csv line 2: unterminated quoted field"},
        {"", LP_ERR_INPUT, "is a folder, not a CSV file"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *bc, csv, unusable_files)
{
    char path[512], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, QUIRKS "%s", bc->file);
    capture c;
    cr_expect_eq(read_capture(path, NULL, &c, NULL, errmsg), bc->status, "%s", errmsg);
    cr_expect(strstr(errmsg, bc->message) != NULL, "got: %s", errmsg);
    capture_free(&c);
    lp_csv_header *h = NULL;
    errmsg[0] = '\0';
    cr_expect_eq(lp_csv_read_header(path, NULL, &h, errmsg), bc->status == LP_OK ? LP_OK :
                 (strstr(bc->file, "unterminated") ? LP_OK : bc->status));
    lp_csv_header_free(h);
}

static char *tmpdir_path(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/lp_csv_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(csv, limits)
{
    char *dir = tmpdir_path(), path[128], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/wide.csv", dir);
    write_file(path, "a,b,c\n1,2,3\n4,\"a long field of thirty bytes..\",6\n");
    capture c;
    lp_csv_options opts = {.limits = {.max_field_bytes = 20}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "line 3: field 2 is longer than 20 bytes (max_field_bytes)"), "%s", errmsg);
    capture_free(&c);

    opts = (lp_csv_options){.limits = {.max_columns = 2}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "line 1: more than 2 fields in a record (max_columns)"), "%s", errmsg);
    capture_free(&c);

    opts = (lp_csv_options){.limits = {.max_file_bytes = 10}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "above the limit") && strstr(errmsg, "max_file_bytes"), "%s", errmsg);
    capture_free(&c);

    /* an unterminated quote is caught by the field limit, not read to the end */
    snprintf(path, sizeof path, "%s/open.csv", dir);
    FILE *f = fopen(path, "wb");
    fputs("a,b\n1,\"", f);
    for (int i = 0; i < 100000; i++) fputs("0123456789\n", f);
    fclose(f);
    opts = (lp_csv_options){.limits = {.max_field_bytes = 1000}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "open.csv line 2: a quoted field is longer than 1000 bytes"), "%s", errmsg);
    capture_free(&c);
}

Test(csv, read_header)
{
    char errmsg[LP_ERRMSG_SIZE];
    lp_csv_header *h = NULL;
    cr_assert_eq(lp_csv_read_header(QUIRKS "utf16le_bom.csv", NULL, &h, errmsg), LP_OK);
    cr_assert_eq(h->nnames, 3);
    cr_expect_str_eq(h->names[0], "Id");
    cr_expect_str_eq(h->names[1], "City");
    cr_expect_str_eq(h->names[2], "Amount");
    cr_expect_eq(h->dialect.delimiter, '\t');
    cr_expect_eq(h->dialect.encoding, LP_CSV_UTF16LE);
    lp_csv_header_free(h);
    lp_csv_header_free(NULL);
}

Test(csv, sha256_matches_sha256sum)
{
    static const char *files[] = {"comma_quoted.csv", "utf16le_bom.csv", "cp1252.csv"};
    for (size_t i = 0; i < 3; i++) {
        char path[512], cmd[600], expect[65] = "";
        snprintf(path, sizeof path, QUIRKS "%s", files[i]);
        snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
        FILE *p = popen(cmd, "r");
        cr_assert_not_null(p);
        cr_assert_eq(fscanf(p, "%64s", expect), 1);
        pclose(p);
        capture c;
        lp_csv_info info;
        cr_assert_eq(read_capture(path, NULL, &c, &info, NULL), LP_OK);
        cr_expect_str_eq(info.sha256, expect, "%s", files[i]);
        capture_free(&c);
    }
}

/* A 20 MB file whose first field is the physical line of its record, with
 * embedded newlines and CRLF: the parallel read must deliver every record
 * with the right line, in order, and agree with the inline read. */
Test(csv, parallel_chunks_keep_lines_and_order)
{
    char *dir = tmpdir_path(), path[128], errmsg[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    fputs("line,name,note\r\n", f);
    size_t line = 2, records = 0;
    while (ftell(f) < 20 * 1000 * 1000) {
        if (records % 7 == 0) {
            fprintf(f, "%zu,\"Name, %zu\",\"two\r\nlines \"\"quoted\"\"\"\r\n", line, records);
            line += 2;
        } else if (records % 101 == 0) {
            fprintf(f, "%zu,plain,x\r\n\r\n", line); /* followed by a blank line */
            line += 2;
        } else {
            fprintf(f, "%zu,plain %zu,some text to make the line longer\r\n", line, records);
            line += 1;
        }
        records++;
    }
    fclose(f);
    capture c;
    lp_csv_info info;
    lp_csv_options opts = {.threads = 2};
    cr_assert_eq(read_capture(path, &opts, &c, &info, errmsg), LP_OK, "%s", errmsg);
    cr_expect_eq(info.records, records);
    cr_expect_gt(info.chunks, 3);
    capture_free(&c);

    /* line check */
    memset(&c, 0, sizeof c);
    c.check_lines = true;
    lp_csv_handler h = {&c, cap_header, cap_chunk_new, cap_record, cap_chunk_done, cap_chunk_free};
    cr_assert_eq(lp_csv_read(path, &opts, &h, &info, errmsg), LP_OK);
    cr_expect_eq(c.bad_lines, 0);
    capture_free(&c);

    /* same text, in the same order, inline and parallel */
    capture a, b;
    lp_csv_options one = {.threads = 1};
    cr_assert_eq(read_capture(path, &one, &a, NULL, errmsg), LP_OK);
    cr_assert_eq(read_capture(path, &opts, &b, NULL, errmsg), LP_OK);
    cr_expect_eq(a.out.len, b.out.len);
    cr_expect(a.out.len == b.out.len && memcmp(a.out.data, b.out.data, a.out.len) == 0);
    capture_free(&a);
    capture_free(&b);
    unlink(path);
    rmdir(dir);
}

/* Lines without quotes take a fast splitter, the others libcsv; both must
 * follow libcsv's rules. Expected records worked out by hand from those
 * rules: spaces and tabs around unquoted fields trimmed, a line empty after
 * trimming is blank (not a record), a quoted field may span lines, a last
 * line without LF is a record. The CRLF copy must give the same records
 * (the quoted field keeps its CR LF). */
Test(csv, fast_and_quoted_lines_mixed)
{
    static const char *text =
        "id,name,note\n"
        "1, Acme ,plain\n"
        "\n"
        "  \t \n"
        "2,\"Multi\nline\",x\n"
        "3,\t tabbed\t,\n"
        ",,\n"
        "4,\"a \"\"q\"\"\",y\n"
        "5,last,z";
    static const char *expect =
        "2:1|Acme|plain\n"
        "5:2|Multi\nline|x\n"
        "7:3|tabbed|\n"
        "8:||\n"
        "9:4|a \"q\"|y\n"
        "10:5|last|z\n";
    char *dir = tmpdir_path(), path[128], errmsg[LP_ERRMSG_SIZE] = "";
    for (int crlf = 0; crlf < 2; crlf++) {
        lp_buf body = {0}, want = {0};
        for (const char *p = text; *p; p++) lp_buf_puts(&body, *p == '\n' && crlf ? "\r\n" : (char[]){*p, 0});
        for (const char *p = expect; *p; p++) {
            bool inner = crlf && *p == '\n' && p[1] == 'l'; /* the LF inside "Multi\nline" */
            lp_buf_puts(&want, inner ? "\r\n" : (char[]){*p, 0});
        }
        snprintf(path, sizeof path, "%s/mixed%d.csv", dir, crlf);
        write_file(path, body.data);
        capture c;
        lp_csv_options opts = {.threads = 1};
        cr_assert_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_OK, "%s", errmsg);
        cr_expect_str_eq(c.out.data ? c.out.data : "", want.data, "crlf=%d", crlf);
        capture_free(&c);
        lp_buf_reset(&body);
        lp_buf_reset(&want);
        unlink(path);
    }

    /* limits on unquoted data lines give the messages of the quoted ones */
    snprintf(path, sizeof path, "%s/limits.csv", dir);
    write_file(path, "a,b,c\n1,2,3\n4,an unquoted field of thirty bytes,6\n7,8,9,10\n");
    capture c;
    lp_csv_options opts = {.limits = {.max_field_bytes = 20}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "line 3: field 2 is longer than 20 bytes (max_field_bytes)"), "%s", errmsg);
    capture_free(&c);
    write_file(path, "a,b,c\n1,2,3\n7,8,9,10\n");
    opts = (lp_csv_options){.limits = {.max_columns = 3}, .threads = 1};
    cr_expect_eq(read_capture(path, &opts, &c, NULL, errmsg), LP_ERR_LIMIT);
    cr_expect(strstr(errmsg, "line 3: more than 3 fields in a record (max_columns)"), "%s", errmsg);
    capture_free(&c);
    unlink(path);
    rmdir(dir);
}

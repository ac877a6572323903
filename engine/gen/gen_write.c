/* Buffered CSV writing for the generator (gen_write.h). */
#include "gen_write.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lp/time.h"

lp_status lp_gen_wf_open(wfile *f, const char *dir, const char *name, char *errmsg)
{
    memset(f, 0, sizeof *f);
    f->eol = "\n";
    f->sep = ',';
    f->first_field = true;
    lp_buf path = {0};
    lp_buf_printf(&path, "%s/%s", dir, name);
    if (path.failed) return LP_ERR_NOMEM;
    f->buf = lp_malloc(WF_BUF);
    if (!f->buf) {
        lp_buf_reset(&path);
        return LP_ERR_NOMEM;
    }
    lp_status st = lp_outfile_open(&f->out, path.data);
    if (st) {
        lp_errmsg_set(errmsg, "%s: cannot create: %s", path.data, strerror(errno));
        lp_free(f->buf);
        f->buf = NULL;
    }
    lp_buf_reset(&path);
    return st;
}

void lp_gen_wf_flush(wfile *f)
{
    if (f->len && !f->failed && fwrite(f->buf, 1, f->len, f->out.fp) != f->len)
        f->failed = true;
    f->len = 0;
}

lp_status lp_gen_wf_close(wfile *f, lp_status st, char *errmsg)
{
    if (!f->buf) return st;
    if (!st) {
        lp_gen_wf_flush(f);
        char path[512];
        snprintf(path, sizeof path, "%s", f->out.path ? f->out.path : "");
        if (f->failed) {
            lp_outfile_abort(&f->out);
            st = LP_ERR_OUTPUT;
        } else {
            st = lp_outfile_commit(&f->out);
        }
        if (st) lp_errmsg_set(errmsg, "%s: could not be written", path);
    } else {
        lp_outfile_abort(&f->out);
    }
    lp_free(f->buf);
    f->buf = NULL;
    return st;
}

static inline void put(wfile *f, const char *s, size_t n)
{
    memcpy(f->buf + f->len, s, n);
    f->len += n;
}

static inline void sep(wfile *f)
{
    if (!f->first_field) f->buf[f->len++] = f->sep;
    f->first_field = false;
}

void lp_gen_w_textn(wfile *f, const char *s, size_t n)
{
    sep(f);
    if (n > WF_ROW_MAX / 4) n = WF_ROW_MAX / 4;
    bool quote = f->quote_all;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == f->sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        put(f, s, n);
        return;
    }
    f->buf[f->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') f->buf[f->len++] = '"';
        f->buf[f->len++] = s[i];
    }
    f->buf[f->len++] = '"';
}

void lp_gen_w_text(wfile *f, const char *s) { lp_gen_w_textn(f, s, strlen(s)); }

static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void lp_gen_w_int(wfile *f, int64_t v)
{
    char tmp[24], *p = tmp;
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    p = put_uint(p, (uint64_t)v);
    lp_gen_w_textn(f, tmp, (size_t)(p - tmp));
}

static char *put_date(char *p, int64_t day, int style)
{
    int64_t y;
    int m, d;
    lp_civil_from_days(day, &y, &m, &d);
    if (style == D_US) {
        p = put2(p, m);
        *p++ = '/';
        p = put2(p, d);
        *p++ = '/';
        return put_uint(p, (uint64_t)y);
    }
    p = put_uint(p, (uint64_t)y);
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    return put2(p, d);
}

void lp_gen_w_date(wfile *f, int64_t day, int style)
{
    char tmp[32];
    char *p = put_date(tmp, day, style);
    lp_gen_w_textn(f, tmp, (size_t)(p - tmp));
}

void lp_gen_w_dt(wfile *f, int64_t t, int style)
{
    if (!t) {
        lp_gen_w_empty(f);
        return;
    }
    char tmp[48], *p = tmp;
    int64_t day = lp_floor_div(t, 86400);
    int secs = (int)(t - day * 86400);
    int hh = secs / 3600, mm = secs / 60 % 60, ss = secs % 60;
    p = put_date(p, day, style == DT_US ? D_US : D_ISO);
    if (style == DT_US) {
        *p++ = ' ';
        int h12 = hh % 12 ? hh % 12 : 12;
        p = put_uint(p, (uint64_t)h12);
        *p++ = ':';
        p = put2(p, mm);
        memcpy(p, hh < 12 ? " AM" : " PM", 3);
        p += 3;
    } else {
        *p++ = style == DT_SPACE ? ' ' : 'T';
        p = put2(p, hh);
        *p++ = ':';
        p = put2(p, mm);
        *p++ = ':';
        p = put2(p, ss);
        if (style == DT_SF) {
            memcpy(p, ".000+0000", 9);
            p += 9;
        } else if (style == DT_ISOZ) {
            *p++ = 'Z';
        }
    }
    lp_gen_w_textn(f, tmp, (size_t)(p - tmp));
}

void lp_gen_w_bool(wfile *f, bool v, const char *yes, const char *no) { lp_gen_w_text(f, v ? yes : no); }

void lp_gen_w_empty(wfile *f) { lp_gen_w_textn(f, "", 0); }

void lp_gen_w_end(wfile *f)
{
    put(f, f->eol, strlen(f->eol));
    f->first_field = true;
    if (f->len > WF_BUF - WF_ROW_MAX) lp_gen_wf_flush(f);
}

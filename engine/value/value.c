/*
 * Typed values from field text (value.h).
 *
 * Each parser walks the bytes once with explicit bounds (fields are not
 * NUL-terminated in general) and allocates nothing. Numbers are normalised
 * into a small stack buffer "[-]digits[.digits][e[-]digits]"; up to 18
 * significant digits without an exponent the value is mantissa / 10^k,
 * which IEEE division rounds correctly because both operands are exact
 * (mantissa < 2^53, k <= 22), so the result equals strtod's.
 */
#include "lp/value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp/time.h"

/* ---- Helpers ---- */

static inline bool is_digit(char c) { return (unsigned char)(c - '0') < 10; }
static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }
static inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/* Length of a white-space character at p (0 if none): ASCII space, tab,
 * CR, LF, and the UTF-8 no-break space C2 A0. */
static inline size_t space_at(const char *p, const char *end)
{
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
    if ((unsigned char)c == 0xC2 && end - p >= 2 && (unsigned char)p[1] == 0xA0) return 2;
    return 0;
}

/* Length of a white-space character ending at end (0 if none). */
static inline size_t space_before(const char *start, const char *end)
{
    char c = end[-1];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
    if ((unsigned char)c == 0xA0 && end - start >= 2 && (unsigned char)end[-2] == 0xC2) return 2;
    return 0;
}

size_t lp_value_trim(const char *s, size_t len, const char **out_start)
{
    const char *p = s, *end = s + len;
    size_t n;
    while (p < end && (n = space_at(p, end))) p += n;
    while (end > p && (n = space_before(p, end))) end -= n;
    *out_start = p;
    return (size_t)(end - p);
}

static bool eq_nocase(const char *s, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len; i++)
        if (!word[i] || lower(s[i]) != word[i]) return false;
    return word[i] == '\0';
}

bool lp_date_order_parse(const char *text, lp_date_order *out_order)
{
    if (!text || !*text || eq_nocase(text, strlen(text), "mdy")) *out_order = LP_DATE_MDY;
    else if (eq_nocase(text, strlen(text), "dmy")) *out_order = LP_DATE_DMY;
    else if (eq_nocase(text, strlen(text), "ymd")) *out_order = LP_DATE_YMD;
    else return false;
    return true;
}

/* ---- Booleans ---- */

bool lp_value_parse_bool(const char *s, size_t len, bool *out_value)
{
    const char *p;
    len = lp_value_trim(s, len, &p);
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (eq_nocase(p, len, yes[i])) {
            *out_value = true;
            return true;
        }
        if (eq_nocase(p, len, no[i])) {
            *out_value = false;
            return true;
        }
    }
    return false;
}

/* ---- Numbers ---- */

/* Length of a currency symbol at p, or 0. */
static size_t currency_symbol_at(const char *p, const char *end)
{
    static const char *const symbols[] = {"$", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5",
                                          "\xE2\x82\xB9"};
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        size_t n = strlen(symbols[i]);
        if ((size_t)(end - p) >= n && memcmp(p, symbols[i], n) == 0) return n;
    }
    return 0;
}

static size_t currency_symbol_before(const char *start, const char *end)
{
    static const char *const symbols[] = {"$", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5",
                                          "\xE2\x82\xB9"};
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        size_t n = strlen(symbols[i]);
        if ((size_t)(end - start) >= n && memcmp(end - n, symbols[i], n) == 0) return n;
    }
    return 0;
}

static const char *skip_spaces(const char *p, const char *end)
{
    size_t n;
    while (p < end && (n = space_at(p, end))) p += n;
    return p;
}

static const char *skip_spaces_back(const char *start, const char *end)
{
    size_t n;
    while (end > start && (n = space_before(start, end))) end -= n;
    return end;
}

/* Strips a leading currency (symbol or three upper-case letters) and
 * returns the new start. */
static const char *strip_currency_front(const char *p, const char *end)
{
    size_t n = currency_symbol_at(p, end);
    if (n) return skip_spaces(p + n, end);
    if (end - p >= 4 && is_upper(p[0]) && is_upper(p[1]) && is_upper(p[2]) &&
        !((p[3] >= 'A' && p[3] <= 'Z') || (p[3] >= 'a' && p[3] <= 'z'))) {
        const char *q = p + 3;
        n = currency_symbol_at(q, end); /* "US$" style is not supported; "USD$" is */
        return skip_spaces(q + n, end);
    }
    return p;
}

static const char *strip_currency_back(const char *start, const char *end)
{
    size_t n = currency_symbol_before(start, end);
    if (n) return skip_spaces_back(start, end - n);
    if (end - start >= 4 && is_upper(end[-1]) && is_upper(end[-2]) && is_upper(end[-3]) &&
        !((end[-4] >= 'A' && end[-4] <= 'Z') || (end[-4] >= 'a' && end[-4] <= 'z')))
        return skip_spaces_back(start, end - 3);
    return end;
}

/* Group separators other than '.' and ',': space, apostrophe, no-break
 * space (C2 A0) and narrow no-break space (E2 80 AF). */
static size_t other_group_at(const char *p, const char *end)
{
    if (*p == ' ' || *p == '\'') return 1;
    if ((unsigned char)*p == 0xC2 && end - p >= 2 && (unsigned char)p[1] == 0xA0) return 2;
    if ((unsigned char)*p == 0xE2 && end - p >= 3 && (unsigned char)p[1] == 0x80 &&
        (unsigned char)p[2] == 0xAF)
        return 3;
    return 0;
}

typedef struct number_text {
    char buf[80];        /* normalised text for strtod */
    size_t len;
    uint64_t mantissa;   /* significant digits as an integer (when digits <= 18) */
    int digits;          /* significant digits collected */
    int frac_digits;     /* of which after the decimal point */
    bool has_exp;        /* an exponent was given */
    bool neg;
} number_text;

/* Normalises the core of a number (no sign, currency or parentheses)
 * with dec as decimal separator; any '.' or ',' that is not dec is a group
 * separator. Validates grouping. */
static bool normalise_core(const char *p, const char *end, char dec, number_text *nt)
{
    size_t o = nt->len;
    int group_digits = 0;  /* digits since the last group separator */
    int groups = 0;        /* group separators seen */
    bool first_zero = false, in_frac = false, any_digit = false;
    nt->mantissa = 0;
    nt->digits = nt->frac_digits = 0;
    nt->has_exp = false;
    while (p < end) {
        char c = *p;
        if (is_digit(c)) {
            if (!any_digit && c == '0') first_zero = true;
            any_digit = true;
            if (o >= sizeof nt->buf - 8) return false;
            nt->buf[o++] = c;
            if (nt->digits || c != '0' || in_frac) {
                if (nt->digits < 19) nt->mantissa = nt->mantissa * 10 + (uint64_t)(c - '0');
                nt->digits++;
            }
            if (in_frac) nt->frac_digits++;
            else group_digits++;
            p++;
            continue;
        }
        size_t gl = 0;
        if (!in_frac && (c == '.' || c == ',') && c != dec) gl = 1;
        else if (!in_frac) gl = other_group_at(p, end);
        if (gl) {
            /* a group separator: the first group has 1..3 digits and no
             * leading zero, every later group exactly 3, a digit follows */
            if (groups == 0 ? (group_digits < 1 || group_digits > 3 || first_zero)
                            : group_digits != 3)
                return false;
            if (p + gl >= end || !is_digit(p[gl])) return false;
            groups++;
            group_digits = 0;
            p += gl;
            continue;
        }
        if (groups && group_digits != 3) return false;
        if (c == dec && !in_frac) {
            in_frac = true;
            groups = 0;
            nt->buf[o++] = '.';
            p++;
            continue;
        }
        if ((c == 'e' || c == 'E') && any_digit) {
            p++;
            nt->buf[o++] = 'e';
            if (p < end && (*p == '-' || *p == '+')) nt->buf[o++] = *p++;
            if (p >= end || !is_digit(*p)) return false;
            int exp_digits = 0;
            while (p < end && is_digit(*p)) {
                if (++exp_digits > 4) return false;
                nt->buf[o++] = *p++;
            }
            nt->has_exp = true;
            break;
        }
        return false;
    }
    if (p != end || !any_digit) return false;
    if (groups && group_digits != 3) return false;
    nt->buf[o] = '\0';
    nt->len = o;
    return true;
}

static const double pow10_table[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Splits sign, parentheses and currency off, then normalises the core. */
static bool number_parse(const char *s, size_t len, bool decimal_comma, number_text *nt)
{
    const char *p, *end;
    len = lp_value_trim(s, len, &p);
    if (!len) return false;
    end = p + len;
    nt->neg = false;
    if (*p == '(' && end[-1] == ')') {
        nt->neg = true;
        p = skip_spaces(p + 1, end - 1);
        end = skip_spaces_back(p, end - 1);
    }
    bool got_sign = false, got_currency = false;
    for (int pass = 0; pass < 2 && p < end; pass++) {
        if (!got_sign && (*p == '-' || *p == '+')) {
            if (nt->neg && *p == '-') return false;
            nt->neg = *p == '-';
            got_sign = true;
            p = skip_spaces(p + 1, end);
        } else if (!got_currency) {
            p = strip_currency_front(p, end);
            got_currency = true;
        }
    }
    if (p < end) end = strip_currency_back(p, end);
    if (p < end && end[-1] == '-' && !nt->neg) { /* trailing minus, "1234-" */
        nt->neg = true;
        end = skip_spaces_back(p, end - 1);
    }
    if (p >= end) return false;

    /* Which of '.' and ',' is the decimal separator. */
    const char *last_dot = NULL, *last_comma = NULL;
    int ndot = 0, ncomma = 0;
    for (const char *q = p; q < end; q++) {
        if (*q == '.') {
            ndot++;
            last_dot = q;
        } else if (*q == ',') {
            ncomma++;
            last_comma = q;
        }
    }
    char dec = decimal_comma ? ',' : '.';
    if (ndot && ncomma) dec = last_dot > last_comma ? '.' : ',';
    nt->len = 0;
    if (nt->neg) nt->buf[nt->len++] = '-';
    size_t start_len = nt->len;
    if (normalise_core(p, end, dec, nt)) return true;
    /* One separator of the other kind that is not grouping: decimal. */
    char other = dec == '.' ? ',' : '.';
    int nother = other == '.' ? ndot : ncomma;
    int ndec = dec == '.' ? ndot : ncomma;
    if ((nother == 1 && ndec == 0) || (ndec > 1 && nother == 0)) {
        /* "0,5" without decimal_comma; "1.234.567" where '.' is decimal */
        nt->len = start_len;
        return normalise_core(p, end, other, nt);
    }
    return false;
}

bool lp_value_parse_number(const char *s, size_t len, bool decimal_comma, double *out_value)
{
    number_text nt;
    if (!number_parse(s, len, decimal_comma, &nt)) return false;
    double v;
    if (!nt.has_exp && nt.digits <= 18 && nt.mantissa < (1ULL << 53) && nt.frac_digits <= 22) {
        v = (double)nt.mantissa / pow10_table[nt.frac_digits];
        if (nt.neg) v = -v;
    } else {
        v = strtod(nt.buf, NULL);
        if (!isfinite(v)) return false;
    }
    *out_value = v;
    return true;
}

bool lp_value_parse_int64(const char *s, size_t len, bool decimal_comma, int64_t *out_value)
{
    /* Fast path: optional sign and up to 18 digits. */
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (len > i && len - i <= 18) {
        int64_t v = 0;
        size_t j = i;
        while (j < len && is_digit(s[j])) v = v * 10 + (s[j++] - '0');
        if (j == len) {
            *out_value = neg ? -v : v;
            return true;
        }
    }
    double d;
    if (!lp_value_parse_number(s, len, decimal_comma, &d)) return false;
    if (d != floor(d) || d < -9.2e18 || d > 9.2e18) return false;
    *out_value = (int64_t)d;
    return true;
}

/* ---- Dates and times ---- */

typedef struct civil_time {
    int64_t y;
    int m, d, hh, mm, ss;
    bool has_offset;
    int offset_seconds;   /* east of UTC */
    int64_t unix_seconds; /* set when kind is a Unix timestamp */
    bool is_unix;
} civil_time;

/* Reads 1..max digits into *out; returns the count (0 = none). */
static int read_num(const char **pp, const char *end, int max, int64_t *out)
{
    const char *p = *pp;
    int64_t v = 0;
    int n = 0;
    while (p < end && is_digit(*p) && n < max) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (p < end && is_digit(*p)) return 0; /* too many digits */
    *pp = p;
    *out = v;
    return n;
}

static int64_t expand_year(int64_t y, int ndigits)
{
    if (ndigits == 2) return y < 70 ? 2000 + y : 1900 + y;
    return y;
}

/* The date part; p advanced past it. */
static bool parse_date_part(const char **pp, const char *end, lp_date_order order,
                            civil_time *ct)
{
    const char *p = *pp;
    int64_t a, b, c;
    int na = read_num(&p, end, 8, &a);
    if (na == 8) { /* 20261120 */
        ct->y = a / 10000;
        ct->m = (int)(a / 100 % 100);
        ct->d = (int)(a % 100);
        if (ct->y < 1900 || ct->y > 2199) return false;
    } else if (na == 4) {
        if (p >= end || (*p != '-' && *p != '/' && *p != '.')) return false;
        char sep = *p++;
        if (!read_num(&p, end, 2, &b) || p >= end || *p++ != sep || !read_num(&p, end, 2, &c))
            return false;
        ct->y = a;
        ct->m = (int)b;
        ct->d = (int)c;
    } else if (na == 1 || na == 2) {
        if (p >= end || (*p != '-' && *p != '/' && *p != '.')) return false;
        char sep = *p++;
        int nb = read_num(&p, end, 2, &b);
        if (!nb || p >= end || *p++ != sep) return false;
        int nc = read_num(&p, end, 4, &c);
        if (nc != 2 && nc != 4) return false;
        ct->y = expand_year(c, nc);
        if (sep == '.' || order == LP_DATE_DMY) {
            ct->d = (int)a;
            ct->m = (int)b;
        } else {
            ct->m = (int)a;
            ct->d = (int)b;
        }
    } else {
        return false;
    }
    if (!lp_civil_valid(ct->y, ct->m, ct->d)) return false;
    *pp = p;
    return true;
}

/* Time of day and offset after the date, up to end. */
static bool parse_time_part(const char *p, const char *end, civil_time *ct)
{
    int64_t h, m, s = 0;
    if (!read_num(&p, end, 2, &h) || p >= end || *p++ != ':' || read_num(&p, end, 2, &m) != 2)
        return false;
    if (p < end && *p == ':') {
        p++;
        if (read_num(&p, end, 2, &s) != 2) return false;
        if (p < end && (*p == '.' || *p == ',')) { /* fraction: truncated */
            p++;
            if (p >= end || !is_digit(*p)) return false;
            while (p < end && is_digit(*p)) p++;
        }
    }
    p = skip_spaces(p, end);
    if (end - p >= 2 && (lower(p[1]) == 'm') && (lower(p[0]) == 'a' || lower(p[0]) == 'p')) {
        bool pm = lower(p[0]) == 'p';
        if (h < 1 || h > 12) return false;
        h = h % 12 + (pm ? 12 : 0);
        p = skip_spaces(p + 2, end);
    }
    if (h > 23 || m > 59 || s > 59) return false;
    ct->hh = (int)h;
    ct->mm = (int)m;
    ct->ss = (int)s;
    if (p == end) return true;
    if (*p == 'Z' || *p == 'z') {
        p++;
        ct->has_offset = true;
        ct->offset_seconds = 0;
    } else if (end - p >= 3 && (eq_nocase(p, 3, "utc") || eq_nocase(p, 3, "gmt"))) {
        p += 3;
        ct->has_offset = true;
        ct->offset_seconds = 0;
        if (p < end && (*p == '+' || *p == '-')) ct->has_offset = false; /* "GMT+1": below */
    }
    if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        int64_t oh, om = 0;
        int n = read_num(&p, end, 4, &oh);
        if (n == 4) {
            om = oh % 100;
            oh /= 100;
        } else if (n == 1 || n == 2) {
            if (p < end && *p == ':') {
                p++;
                if (read_num(&p, end, 2, &om) != 2) return false;
            }
        } else {
            return false;
        }
        if (oh > 14 || om > 59) return false;
        ct->has_offset = true;
        ct->offset_seconds = sign * (int)(oh * 3600 + om * 60);
    }
    return p == end;
}

/* A plain number: Excel serial (date), or Unix seconds / milliseconds. */
static bool parse_serial(const char *p, const char *end, civil_time *ct, bool *out_is_number)
{
    const char *q = p;
    while (q < end && is_digit(*q)) q++;
    size_t ndigits = (size_t)(q - p);
    *out_is_number = false;
    if (!ndigits) return false;
    const char *frac = NULL;
    if (q < end && *q == '.') {
        frac = ++q;
        while (q < end && is_digit(*q)) q++;
    }
    if (q != end) return false;
    *out_is_number = true;
    if (!frac && (ndigits == 10 || ndigits == 13)) {
        int64_t v = 0;
        for (const char *r = p; r < p + ndigits; r++) v = v * 10 + (*r - '0');
        ct->is_unix = true;
        ct->unix_seconds = ndigits == 13 ? lp_floor_div(v, 1000) : v;
        return true;
    }
    if (ndigits > 7) return false;
    int64_t serial = 0;
    for (const char *r = p; r < p + ndigits; r++) serial = serial * 10 + (*r - '0');
    if (serial < 1 || serial == 60 || serial > 2958465) return false;
    int64_t days = serial < 60 ? serial - 25568 : serial - 25569;
    lp_civil_from_days(days, &ct->y, &ct->m, &ct->d);
    if (frac) {
        double f = 0, scale = 0.1;
        for (const char *r = frac; r < end && scale > 1e-12; r++, scale /= 10)
            f += (*r - '0') * scale;
        int64_t secs = (int64_t)floor(f * 86400 + 0.5);
        if (secs >= 86400) secs = 86399;
        ct->hh = (int)(secs / 3600);
        ct->mm = (int)(secs / 60 % 60);
        ct->ss = (int)(secs % 60);
    }
    return true;
}

/* Any date or instant form into civil parts. */
static bool parse_civil(const char *s, size_t len, lp_date_order order, civil_time *ct)
{
    const char *p;
    len = lp_value_trim(s, len, &p);
    if (!len) return false;
    const char *end = p + len;
    memset(ct, 0, sizeof *ct);
    bool is_number;
    if (parse_serial(p, end, ct, &is_number)) return true;
    if (is_number && (end - p) != 8) return false;
    if (!parse_date_part(&p, end, order, ct)) return false;
    if (p == end) return true;
    if (*p == 'T' || *p == 't') p++;
    else if (space_at(p, end)) p = skip_spaces(p, end);
    else return false;
    return parse_time_part(p, end, ct);
}

static int64_t civil_to_instant(const civil_time *ct)
{
    if (ct->is_unix) return ct->unix_seconds;
    if (ct->has_offset)
        return lp_days_from_civil(ct->y, ct->m, ct->d) * 86400 + ct->hh * 3600 + ct->mm * 60 +
               ct->ss - ct->offset_seconds;
    return lp_local_to_instant(ct->y, ct->m, ct->d, ct->hh, ct->mm, ct->ss);
}

/* Two digits at p, or -1. */
static inline int two_digits(const char *p)
{
    return is_digit(p[0]) && is_digit(p[1]) ? (p[0] - '0') * 10 + (p[1] - '0') : -1;
}

/* YYYY-MM-DD at s (exactly ten bytes known to be there), the date form of
 * nearly every export, read without the general parser. */
static bool iso_date(const char *s, int64_t *out_days)
{
    int hi = two_digits(s), lo = two_digits(s + 2), m = two_digits(s + 5), d = two_digits(s + 8);
    if (hi < 0 || lo < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-') return false;
    int64_t y = hi * 100 + lo;
    if (!lp_civil_valid(y, m, d)) return false;
    *out_days = lp_days_from_civil(y, m, d);
    return true;
}

/* YYYY-MM-DDTHH:MM:SS, an optional fraction of a second (truncated), then
 * Z or a four-digit offset (+HHMM, -HHMM): the instant forms of most
 * exports (Salesforce writes 2026-11-20T14:03:11.000+0000). Anything else
 * (offsets with a colon, other orders, spaces) is left to the general
 * parser, which reads these forms the same way. */
static bool iso_utc(const char *s, size_t len, int64_t *out_instant)
{
    int64_t days;
    if (len < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t digits = ++i;
        while (i < len && is_digit(s[i])) i++;
        if (i == digits) return false;
    }
    int offset = 0;
    if (len - i == 1 && s[i] == 'Z') {
        offset = 0;
    } else if (len - i == 5 && (s[i] == '+' || s[i] == '-')) {
        int oh = two_digits(s + i + 1), om = two_digits(s + i + 3);
        if (oh < 0 || oh > 14 || om < 0 || om > 59) return false;
        offset = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    int hh = two_digits(s + 11), mm = two_digits(s + 14), ss = two_digits(s + 17);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 || !iso_date(s, &days))
        return false;
    *out_instant = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    return true;
}

bool lp_value_parse_instant(const char *s, size_t len, lp_date_order order, int64_t *out_instant)
{
    if (iso_utc(s, len, out_instant)) return true;
    civil_time ct;
    if (!parse_civil(s, len, order, &ct)) return false;
    *out_instant = civil_to_instant(&ct);
    return true;
}

bool lp_value_parse_date(const char *s, size_t len, lp_date_order order, int32_t *out_days)
{
    int64_t iso_days;
    if (len == 10 && iso_date(s, &iso_days) && iso_days >= INT32_MIN && iso_days <= INT32_MAX) {
        *out_days = (int32_t)iso_days;
        return true;
    }
    civil_time ct;
    if (!parse_civil(s, len, order, &ct)) return false;
    int64_t days;
    if (ct.is_unix || ct.has_offset) days = lp_instant_local_date(civil_to_instant(&ct));
    else days = lp_days_from_civil(ct.y, ct.m, ct.d);
    if (days < INT32_MIN || days > INT32_MAX) return false;
    *out_days = (int32_t)days;
    return true;
}

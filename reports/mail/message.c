/*
 * Building the pack's email as MIME bytes (mail.h).
 *
 * The whole message is assembled in one lp_buf with CRLF line endings and
 * only 7-bit characters: headers are ASCII or RFC 2047 encoded-words, text
 * parts are quoted-printable, binary parts base64 in 76-character lines.
 * Boundaries start with "=_", a sequence that neither quoted-printable (where
 * '=' is followed by a hex digit or a line break) nor base64 can produce, so
 * no part can contain its own boundary.
 */
#include "lp/mail.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lp/fileio.h"

/* Longest run of UTF-8 bytes per encoded-word: 42 bytes give 56 base64
 * characters, 68 with the "=?UTF-8?B?" ... "?=" wrapper, which fits on a
 * folded line (and after "Subject: ") within the 78 recommended. */
#define WORD_MAX_BYTES 42
#define QP_LINE_MAX 76

struct lp_mail_message {
    lp_buf bytes;          /* the complete message */
    char *message_id;      /* "<...@domain>" */
    char *sender;          /* bare envelope sender */
    char **recipients;     /* bare addresses, To then Cc */
    size_t nrecipients;
    size_t workbook_bytes; /* encoded size of the workbook part, 0 if none */
};

static atomic_uint message_counter;

/* ---- validation ---------------------------------------------------------- */

/* True when s is well-formed UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n;
        unsigned min;
        if (c < 0x80) { p++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 1; min = 0x80; c &= 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; min = 0x800; c &= 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; min = 0x10000; c &= 0x07; }
        else return false;
        p++;
        for (size_t i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80) return false;
            c = (c << 6) | (*p & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    }
    return true;
}

static bool is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

static bool has_line_break(const char *s) { return strpbrk(s, "\r\n") != NULL; }

/* Checks one caller string: valid UTF-8 always; no CR/LF when it goes into
 * a header. what names the input in the message. */
static lp_status check_text(const char *s, const char *what, bool header, char *errmsg)
{
    if (!utf8_valid(s)) {
        lp_errmsg_set(errmsg, "mail: %s is not valid UTF-8", what);
        return LP_ERR_INPUT;
    }
    if (header && has_line_break(s)) {
        lp_errmsg_set(errmsg, "mail: %s must be one line (it holds a line break)", what);
        return LP_ERR_USAGE;
    }
    return LP_OK;
}

/* An address as the user wrote it, split into display name and bare
 * address. Both point into a copy owned by the caller (parse_address). */
typedef struct address {
    char *name;  /* display name without quotes, or "" */
    char *addr;  /* "user@example.com" */
} address;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

/* Splits "Name <user@host>", "\"Name\" <user@host>" or "user@host" in place
 * and checks the bare address: one '@' with text on both sides, printable
 * ASCII, no spaces or specials that would need quoting in SMTP. */
static lp_status parse_address(char *copy, const char *what, address *out, char *errmsg)
{
    char *lt = strrchr(copy, '<');
    if (lt) {
        char *gt = strchr(lt, '>');
        if (!gt || *trim(gt + 1) != '\0') goto bad;
        *gt = '\0';
        *lt = '\0';
        out->addr = trim(lt + 1);
        char *name = trim(copy);
        size_t n = strlen(name);
        if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
            name[n - 1] = '\0';
            name++;
        }
        out->name = name;
    } else {
        out->addr = trim(copy);
        out->name = copy + strlen(copy);
    }
    const char *at = strchr(out->addr, '@');
    if (!at || at == out->addr || at[1] == '\0' || strchr(at + 1, '@')) goto bad;
    for (const char *p = out->addr; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("<>()[],;:\\\"", c)) goto bad;
    }
    if (strpbrk(out->name, "\"\\")) goto bad;
    return LP_OK;
bad:
    lp_errmsg_set(errmsg, "mail: %s is not an email address this mailer can send to "
                  "(want user@example.com or Name <user@example.com>, ASCII)", what);
    return LP_ERR_USAGE;
}

/* ---- encoders ------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of len bytes, appended without line breaks. */
static void b64_append(lp_buf *buf, const unsigned char *in, size_t len)
{
    char quad[4];
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len) v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        quad[0] = b64_alphabet[(v >> 18) & 63];
        quad[1] = b64_alphabet[(v >> 12) & 63];
        quad[2] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        quad[3] = i + 2 < len ? b64_alphabet[v & 63] : '=';
        lp_buf_append(buf, quad, 4);
    }
}

/* Base64 body: 57 input bytes make one 76-character line (RFC 2045). */
static void b64_body(lp_buf *buf, const unsigned char *in, size_t len)
{
    for (size_t i = 0; i < len; i += 57) {
        b64_append(buf, in + i, len - i < 57 ? len - i : 57);
        lp_buf_puts(buf, "\r\n");
    }
}

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in LF or
 * CRLF; output lines end in CRLF and are at most 76 characters, soft breaks
 * included. Besides what the RFC requires, '.' and 'F' at the start of a
 * line are encoded so that no relay's dot-stuffing or "From " mangling can
 * alter the text. */
static void qp_body(lp_buf *buf, const char *text)
{
    size_t col = 0;
    char enc[4];
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned c = *p;
        if (c == '\r' && p[1] == '\n') continue;
        if (c == '\n') {
            lp_buf_puts(buf, "\r\n");
            col = 0;
            continue;
        }
        bool at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        bool literal = (c >= 33 && c <= 126 && c != '=') ||
                       ((c == ' ' || c == '\t') && !at_end);
        if (col == 0 && (c == '.' || c == 'F')) literal = false;
        size_t width = literal ? 1 : 3;
        /* Keep room for the soft-break '=' unless this is the line's end. */
        size_t room = at_end ? QP_LINE_MAX : QP_LINE_MAX - 1;
        if (col + width > room) {
            lp_buf_puts(buf, "=\r\n");
            col = 0;
            if (c == '.' || c == 'F') literal = false, width = 3;
        }
        if (literal) {
            lp_buf_append(buf, (const char *)p, 1);
        } else {
            snprintf(enc, sizeof enc, "=%02X", c);
            lp_buf_append(buf, enc, 3);
        }
        col += width;
    }
    if (col) lp_buf_puts(buf, "\r\n");
}

/* Appends value as a header value after a header of name_len characters.
 * ASCII is written as is, folded at spaces before 78 columns; anything
 * else becomes UTF-8 base64 encoded-words cut at character boundaries,
 * one per folded line. */
static void header_text(lp_buf *buf, const char *value, size_t name_len)
{
    size_t len = strlen(value);
    if (is_ascii(value, len) && !strstr(value, "=?")) {
        size_t col = name_len;
        const char *p = value;
        while (*p) {
            const char *space = strchr(p + 1, ' ');
            size_t word = space ? (size_t)(space - p) : strlen(p);
            if (col + word > 78 && col > name_len && *p == ' ') {
                lp_buf_puts(buf, "\r\n");
                col = 0;
            }
            lp_buf_append(buf, p, word);
            col += word;
            p += word;
        }
        return;
    }
    size_t pos = 0;
    while (pos < len) {
        size_t n = len - pos < WORD_MAX_BYTES ? len - pos : WORD_MAX_BYTES;
        /* Never split a multi-byte character across two words. */
        while (pos + n < len && n > 0 && ((unsigned char)value[pos + n] & 0xC0) == 0x80) n--;
        if (pos) lp_buf_puts(buf, "\r\n ");
        lp_buf_puts(buf, "=?UTF-8?B?");
        b64_append(buf, (const unsigned char *)value + pos, n);
        lp_buf_puts(buf, "?=");
        pos += n;
    }
}

/* A display name as a header phrase: encoded-words when not ASCII, a
 * quoted string when it holds characters special in addresses. */
static void header_phrase(lp_buf *buf, const char *name)
{
    if (!is_ascii(name, strlen(name))) {
        header_text(buf, name, 78);
    } else if (strpbrk(name, "()<>[]:;@\\,.\"")) {
        lp_buf_printf(buf, "\"%s\"", name);
    } else {
        lp_buf_puts(buf, name);
    }
}

/* "To: a, b": one address per line after the first, so no line runs long
 * whatever the names. */
static void header_addresses(lp_buf *buf, const char *field, const address *list, size_t n)
{
    lp_buf_printf(buf, "%s: ", field);
    for (size_t i = 0; i < n; i++) {
        if (i) lp_buf_puts(buf, ",\r\n ");
        if (list[i].name[0]) {
            header_phrase(buf, list[i].name);
            lp_buf_printf(buf, " <%s>", list[i].addr);
        } else {
            lp_buf_puts(buf, list[i].addr);
        }
    }
    lp_buf_puts(buf, "\r\n");
}

static void html_escape(lp_buf *buf, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': lp_buf_puts(buf, "&amp;"); break;
        case '<': lp_buf_puts(buf, "&lt;"); break;
        case '>': lp_buf_puts(buf, "&gt;"); break;
        case '"': lp_buf_puts(buf, "&quot;"); break;
        case '\'': lp_buf_puts(buf, "&#39;"); break;
        default: lp_buf_append(buf, p, 1);
        }
    }
}

/* Characters a reader sees (code points), for aligning the text table. */
static size_t display_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

static void pad_cell(lp_buf *buf, const char *s, size_t width)
{
    lp_buf_puts(buf, s);
    for (size_t w = display_width(s); w < width; w++) lp_buf_puts(buf, " ");
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Random hex for boundaries, Message-ID and Content-ID; getrandom() with a
 * time/pid/counter fallback, so two messages never share an identifier. */
static void unique_token(char *out, size_t size)
{
    unsigned char rnd[8];
    if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
        memcpy(rnd, &v, sizeof rnd);
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(out, size, "%lld.%ld.%u.%02x%02x%02x%02x%02x%02x%02x%02x",
             (long long)now.tv_sec, (long)getpid(), atomic_fetch_add(&message_counter, 1),
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
}

/* RFC 5322 date in UTC with English names whatever the locale. */
static void header_date(lp_buf *buf, int64_t instant)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)instant;
    struct tm tm;
    gmtime_r(&t, &tm);
    lp_buf_printf(buf, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
}

/* Reads a whole file into memory (owned by the caller). */
static lp_status read_file(const char *path, const char *what, unsigned char **out_data,
                           size_t *out_len, char *errmsg)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lp_errmsg_set(errmsg, "mail: cannot open the %s %s: %s", what, path, strerror(errno));
        return LP_ERR_IO;
    }
    lp_buf data = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) lp_buf_append(&data, chunk, n);
    bool read_error = ferror(fp);
    fclose(fp);
    if (read_error) {
        lp_buf_reset(&data);
        lp_errmsg_set(errmsg, "mail: cannot read the %s %s", what, path);
        return LP_ERR_IO;
    }
    if (data.failed) {
        lp_buf_reset(&data);
        lp_errmsg_set(errmsg, "mail: out of memory reading %s", path);
        return LP_ERR_NOMEM;
    }
    *out_data = (unsigned char *)data.data;
    *out_len = data.len;
    return LP_OK;
}

/* Content-Type name and Content-Disposition filename for a file part:
 * a quoted ASCII name, or RFC 2231 percent-encoded UTF-8. */
static void filename_param(lp_buf *buf, const char *param, const char *name)
{
    size_t len = strlen(name);
    if (is_ascii(name, len) && !strpbrk(name, "\"\\")) {
        lp_buf_printf(buf, "%s=\"%s\"", param, name);
        return;
    }
    lp_buf_printf(buf, "%s*=UTF-8''", param);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            lp_buf_append(buf, (const char *)p, 1);
        else
            lp_buf_printf(buf, "%%%02X", *p);
    }
}

/* One base64 file part: headers, blank line, body. cid (may be NULL) makes
 * it an inline part with a Content-ID. */
static lp_status file_part(lp_buf *buf, const char *boundary, const char *path,
                           const char *content_type, const char *what, const char *cid,
                           char *errmsg)
{
    unsigned char *data = NULL;
    size_t len = 0;
    lp_status st = read_file(path, what, &data, &len, errmsg);
    if (st) return st;
    const char *name = base_name(path);
    lp_buf_printf(buf, "--%s\r\nContent-Type: %s;\r\n ", boundary, content_type);
    filename_param(buf, "name", name);
    lp_buf_puts(buf, "\r\nContent-Transfer-Encoding: base64\r\n");
    if (cid) lp_buf_printf(buf, "Content-ID: <%s>\r\n", cid);
    lp_buf_printf(buf, "Content-Disposition: %s;\r\n ", cid ? "inline" : "attachment");
    filename_param(buf, "filename", name);
    lp_buf_puts(buf, "\r\n\r\n");
    b64_body(buf, data, len);
    lp_free(data);
    return LP_OK;
}

static const char *workbook_type(const char *path)
{
    size_t n = strlen(path);
    if (n >= 5 && strcasecmp(path + n - 5, ".xlsx") == 0)
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "application/octet-stream";
}

/* ---- bodies -------------------------------------------------------------- */

static const char *kpi_headers[4] = {"Measure", "Value", "Change", "Status"};

static const char *kpi_cell(const lp_mail_kpi *kpi, int col)
{
    switch (col) {
    case 0: return or_empty(kpi->label);
    case 1: return or_empty(kpi->value);
    case 2: return or_empty(kpi->change);
    default: return or_empty(kpi->status);
    }
}

static void attachments_sentence(lp_buf *text, const lp_mail_spec *spec, bool html)
{
    if (!spec->pdf_path && !spec->workbook_path) return;
    lp_buf_puts(text, html ? "<p>" : "");
    lp_buf_puts(text, "Attached: ");
    if (spec->pdf_path) {
        lp_buf_puts(text, "the full pack, ");
        if (html) html_escape(text, base_name(spec->pdf_path));
        else lp_buf_puts(text, base_name(spec->pdf_path));
    }
    if (spec->workbook_path) {
        lp_buf_puts(text, spec->pdf_path ? "; the workbook with every figure and the records "
                                           "behind it, "
                                         : "the workbook with every figure and the records "
                                           "behind it, ");
        if (html) html_escape(text, base_name(spec->workbook_path));
        else lp_buf_puts(text, base_name(spec->workbook_path));
    }
    lp_buf_puts(text, html ? ".</p>\n" : ".\n");
}

/* The plain-text body: title, headlines, an aligned KPI table. */
static void text_body(lp_buf *text, const lp_mail_spec *spec, const char *title)
{
    lp_buf_printf(text, "%s\n\n", title);
    for (size_t i = 0; i < spec->nheadlines; i++)
        lp_buf_printf(text, "%s\n\n", or_empty(spec->headlines[i]));
    if (spec->nkpis) {
        size_t width[4];
        for (int c = 0; c < 4; c++) {
            width[c] = display_width(kpi_headers[c]);
            for (size_t r = 0; r < spec->nkpis; r++) {
                size_t w = display_width(kpi_cell(&spec->kpis[r], c));
                if (w > width[c]) width[c] = w;
            }
        }
        lp_buf_puts(text, "Key figures\n\n");
        for (size_t r = 0; r <= spec->nkpis; r++) {
            for (int c = 0; c < 4; c++) {
                const char *cell = r == 0 ? kpi_headers[c] : kpi_cell(&spec->kpis[r - 1], c);
                if (c == 3) lp_buf_puts(text, cell);
                else pad_cell(text, cell, width[c] + 2);
            }
            lp_buf_puts(text, "\n");
        }
        lp_buf_puts(text, "\n");
    }
    attachments_sentence(text, spec, false);
}

/* The HTML body: the same content, a real table (header cells with scope),
 * and the chart by cid. Every caller string goes through html_escape. */
static void html_body(lp_buf *html, const lp_mail_spec *spec, const char *title,
                      const char *chart_cid)
{
    lp_buf_puts(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                      "<meta charset=\"utf-8\">\n<title>");
    html_escape(html, title);
    lp_buf_puts(html, "</title>\n</head>\n"
                      "<body style=\"font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;"
                      "line-height:1.4;\">\n<h1 style=\"font-size:20px;\">");
    html_escape(html, title);
    lp_buf_puts(html, "</h1>\n");
    for (size_t i = 0; i < spec->nheadlines; i++) {
        lp_buf_puts(html, "<p>");
        html_escape(html, or_empty(spec->headlines[i]));
        lp_buf_puts(html, "</p>\n");
    }
    if (spec->nkpis) {
        const char *cell_style = "padding:4px 12px;border-bottom:1px solid #ddd;";
        lp_buf_puts(html, "<table style=\"border-collapse:collapse;margin:12px 0;\">\n"
                          "<caption style=\"text-align:left;font-weight:bold;\">Key figures"
                          "</caption>\n<thead>\n<tr>");
        for (int c = 0; c < 4; c++)
            lp_buf_printf(html, "<th scope=\"col\" style=\"%stext-align:%s;\">%s</th>",
                          cell_style, c == 1 ? "right" : "left", kpi_headers[c]);
        lp_buf_puts(html, "</tr>\n</thead>\n<tbody>\n");
        for (size_t r = 0; r < spec->nkpis; r++) {
            lp_buf_printf(html, "<tr><th scope=\"row\" style=\"%stext-align:left;"
                                "font-weight:normal;\">", cell_style);
            html_escape(html, kpi_cell(&spec->kpis[r], 0));
            lp_buf_puts(html, "</th>");
            for (int c = 1; c < 4; c++) {
                lp_buf_printf(html, "<td style=\"%stext-align:%s;\">", cell_style,
                              c == 1 ? "right" : "left");
                html_escape(html, kpi_cell(&spec->kpis[r], c));
                lp_buf_puts(html, "</td>");
            }
            lp_buf_puts(html, "</tr>\n");
        }
        lp_buf_puts(html, "</tbody>\n</table>\n");
    }
    if (chart_cid) {
        lp_buf_printf(html, "<p><img src=\"cid:%s\" alt=\"", chart_cid);
        html_escape(html, spec->chart_alt ? spec->chart_alt : "Chart");
        lp_buf_puts(html, "\" style=\"max-width:100%;\"></p>\n");
    }
    attachments_sentence(html, spec, true);
    lp_buf_puts(html, "</body>\n</html>\n");
}

/* ---- assembly ------------------------------------------------------------ */

/* Checks every input of the spec; fills from/to/cc (pointing into copies
 * that the caller frees: copies[i] for the i-th address, from first). */
static lp_status check_spec(const lp_mail_spec *spec, char **copies, address *from,
                            address *rcpts, char *errmsg)
{
    lp_status st;
    if (!spec->from || !spec->subject || !spec->to || spec->nto == 0 ||
        (spec->ncc && !spec->cc)) {
        lp_errmsg_set(errmsg, "mail: %s is required", !spec->from ? "a sender (from)"
                      : !spec->subject ? "a subject" : !spec->to || !spec->nto
                      ? "at least one recipient (to)" : "the cc list");
        return LP_ERR_USAGE;
    }
    char what[64];
    for (size_t i = 0; i < 1 + spec->nto + spec->ncc; i++) {
        const char *raw = i == 0 ? spec->from
                          : i <= spec->nto ? spec->to[i - 1] : spec->cc[i - 1 - spec->nto];
        if (i == 0) snprintf(what, sizeof what, "the sender");
        else if (i <= spec->nto) snprintf(what, sizeof what, "recipient %zu (to)", i);
        else snprintf(what, sizeof what, "recipient %zu (cc)", i - spec->nto);
        if (!raw) {
            lp_errmsg_set(errmsg, "mail: %s is missing", what);
            return LP_ERR_USAGE;
        }
        if ((st = check_text(raw, what, true, errmsg))) return st;
        if (!(copies[i] = lp_strdup(raw))) return LP_ERR_NOMEM;
        if ((st = parse_address(copies[i], what, i == 0 ? from : &rcpts[i - 1], errmsg)))
            return st;
    }
    if ((st = check_text(spec->subject, "the subject", true, errmsg))) return st;
    if (spec->title && (st = check_text(spec->title, "the title", false, errmsg))) return st;
    if (spec->chart_alt && (st = check_text(spec->chart_alt, "the chart's alt text", false,
                                            errmsg)))
        return st;
    for (size_t i = 0; i < spec->nheadlines; i++) {
        snprintf(what, sizeof what, "headline %zu", i + 1);
        if (spec->headlines[i] && (st = check_text(spec->headlines[i], what, false, errmsg)))
            return st;
    }
    for (size_t r = 0; r < spec->nkpis; r++) {
        for (int c = 0; c < 4; c++) {
            snprintf(what, sizeof what, "KPI row %zu, %s", r + 1, kpi_headers[c]);
            if ((st = check_text(kpi_cell(&spec->kpis[r], c), what, false, errmsg))) return st;
        }
    }
    return LP_OK;
}

lp_status lp_mail_message_new(const lp_mail_spec *spec, lp_mail_message **out_message,
                              char *errmsg)
{
    if (!spec || !out_message) {
        lp_errmsg_set(errmsg, "mail: no message spec");
        return LP_ERR_USAGE;
    }
    lp_status st = LP_OK;
    size_t naddr = 1 + spec->nto + spec->ncc;
    lp_buf text = {0}, html = {0};
    address from = {0};
    address *rcpts = NULL;
    char **copies = NULL;
    lp_mail_message *msg = lp_calloc(1, sizeof *msg);
    copies = lp_calloc(naddr, sizeof *copies);
    rcpts = lp_calloc(naddr, sizeof *rcpts);
    if (!msg || !copies || !rcpts) goto nomem;
    if ((st = check_spec(spec, copies, &from, rcpts, errmsg))) goto cleanup;

    msg->sender = lp_strdup(from.addr);
    msg->nrecipients = spec->nto + spec->ncc;
    msg->recipients = lp_calloc(msg->nrecipients, sizeof *msg->recipients);
    if (!msg->sender || !msg->recipients) goto nomem;
    for (size_t i = 0; i < msg->nrecipients; i++)
        if (!(msg->recipients[i] = lp_strdup(rcpts[i].addr))) goto nomem;

    const char *domain = strchr(from.addr, '@') + 1;
    char token[96], mixed[128], related[128], alternative[128], cid[192], id[192];
    unique_token(token, sizeof token);
    snprintf(mixed, sizeof mixed, "=_lp_mixed_%s", token);
    snprintf(related, sizeof related, "=_lp_related_%s", token);
    snprintf(alternative, sizeof alternative, "=_lp_alt_%s", token);
    snprintf(cid, sizeof cid, "chart.%s@%s", token, domain);
    snprintf(id, sizeof id, "<leadpack.%s@%s>", token, domain);
    if (!(msg->message_id = lp_strdup(id))) goto nomem;
    const char *title = spec->title ? spec->title : spec->subject;
    const char *chart_cid = spec->chart_png_path ? cid : NULL;

    /* Header. */
    lp_buf *out = &msg->bytes;
    header_addresses(out, "From", &from, 1);
    header_addresses(out, "To", rcpts, spec->nto);
    if (spec->ncc) header_addresses(out, "Cc", rcpts + spec->nto, spec->ncc);
    lp_buf_puts(out, "Subject: ");
    header_text(out, spec->subject, strlen("Subject: "));
    lp_buf_puts(out, "\r\n");
    header_date(out, spec->date ? spec->date : (int64_t)time(NULL));
    lp_buf_printf(out, "Message-ID: %s\r\n", id);
    lp_buf_puts(out, "MIME-Version: 1.0\r\n");
    lp_buf_puts(out, "X-Mailer: leadpack " LP_VERSION "\r\n");
    lp_buf_printf(out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", mixed);
    lp_buf_puts(out, "This is a MIME message: the weekly pack, with its attachments.\r\n\r\n");

    /* multipart/related wraps the alternative and the chart it shows. */
    lp_buf_printf(out, "--%s\r\n", mixed);
    if (chart_cid)
        lp_buf_printf(out, "Content-Type: multipart/related; type=\"multipart/alternative\";"
                           "\r\n boundary=\"%s\"\r\n\r\n--%s\r\n", related, related);
    lp_buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                  alternative);

    text_body(&text, spec, title);
    html_body(&html, spec, title, chart_cid);
    if (text.failed || html.failed) goto nomem;
    lp_buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n", alternative);
    qp_body(out, text.data);
    lp_buf_printf(out, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n", alternative);
    qp_body(out, html.data);
    lp_buf_printf(out, "--%s--\r\n", alternative);

    if (chart_cid) {
        if ((st = file_part(out, related, spec->chart_png_path, "image/png", "chart",
                            chart_cid, errmsg)))
            goto cleanup;
        lp_buf_printf(out, "--%s--\r\n", related);
    }
    if (spec->pdf_path &&
        (st = file_part(out, mixed, spec->pdf_path, "application/pdf", "PDF", NULL, errmsg)))
        goto cleanup;
    if (spec->workbook_path) {
        size_t before = out->len;
        if ((st = file_part(out, mixed, spec->workbook_path, workbook_type(spec->workbook_path),
                            "workbook", NULL, errmsg)))
            goto cleanup;
        msg->workbook_bytes = out->len - before;
    }
    lp_buf_printf(out, "--%s--\r\n", mixed);
    if (out->failed) goto nomem;
    goto cleanup;

nomem:
    st = LP_ERR_NOMEM;
    lp_errmsg_set(errmsg, "mail: out of memory building the message");
cleanup:
    lp_buf_reset(&text);
    lp_buf_reset(&html);
    if (copies)
        for (size_t i = 0; i < naddr; i++) lp_free(copies[i]);
    lp_free(copies);
    lp_free(rcpts);
    if (st) {
        lp_mail_message_free(msg);
        return st;
    }
    *out_message = msg;
    return LP_OK;
}

void lp_mail_message_free(lp_mail_message *message)
{
    if (!message) return;
    lp_buf_reset(&message->bytes);
    lp_free(message->message_id);
    lp_free(message->sender);
    if (message->recipients)
        for (size_t i = 0; i < message->nrecipients; i++) lp_free(message->recipients[i]);
    lp_free(message->recipients);
    lp_free(message);
}

const char *lp_mail_message_data(const lp_mail_message *message) { return message->bytes.data; }
size_t lp_mail_message_size(const lp_mail_message *message) { return message->bytes.len; }
const char *lp_mail_message_id(const lp_mail_message *message) { return message->message_id; }
const char *lp_mail_message_sender(const lp_mail_message *message) { return message->sender; }
size_t lp_mail_message_nrecipients(const lp_mail_message *message)
{
    return message->nrecipients;
}
const char *lp_mail_message_recipient(const lp_mail_message *message, size_t i)
{
    return i < message->nrecipients ? message->recipients[i] : NULL;
}

/* Sizes in the warning are in MiB with one decimal, as mail providers
 * state their limits. */
bool lp_mail_check_size(const lp_mail_message *message, size_t limit_bytes, char *warning)
{
    size_t limit = limit_bytes ? limit_bytes : LP_MAIL_SIZE_LIMIT_DEFAULT;
    size_t size = message->bytes.len;
    if (size <= limit) return false;
    double mib = 1024.0 * 1024.0;
    if (message->workbook_bytes)
        lp_errmsg_set(warning, "the message is %.1f MB, over the %.1f MB that many mail "
                      "servers accept; the workbook makes %.1f MB of it: leave it out "
                      "(no --attach-workbook) and share it another way",
                      size / mib, limit / mib, message->workbook_bytes / mib);
    else
        lp_errmsg_set(warning, "the message is %.1f MB, over the %.1f MB that many mail "
                      "servers accept; some recipients may not receive it",
                      size / mib, limit / mib);
    return true;
}

lp_status lp_mail_message_write(const lp_mail_message *message, const char *path,
                                char *errmsg)
{
    lp_outfile out;
    lp_status st = lp_outfile_open(&out, path);
    if (st) {
        lp_errmsg_set(errmsg, "mail: cannot create %s: %s", path,
                      st == LP_ERR_NOMEM ? "out of memory" : strerror(errno));
        return st;
    }
    if (fwrite(message->bytes.data, 1, message->bytes.len, out.fp) != message->bytes.len) {
        lp_errmsg_set(errmsg, "mail: cannot write %s: %s", path, strerror(errno));
        lp_outfile_abort(&out);
        return LP_ERR_OUTPUT;
    }
    if ((st = lp_outfile_commit(&out))) {
        lp_errmsg_set(errmsg, "mail: cannot write %s", path);
        return st;
    }
    return LP_OK;
}

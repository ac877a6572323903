/* Atomic output files (fileio.h). */
#include "lp/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int tmp_counter;

#define OUTFILE_BUFFER ((size_t)256 << 10)

lp_status lp_outfile_prepare(lp_outfile *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
    lp_buf tmp = {0};
    lp_buf_append(&tmp, path, dir_len);
    lp_buf_printf(&tmp, ".%s.tmp-%ld-%d", path + dir_len, (long)getpid(),
                  atomic_fetch_add(&tmp_counter, 1));
    out->path = lp_strdup(path);
    if (tmp.failed || !tmp.data || !out->path) {
        lp_buf_reset(&tmp);
        lp_free(out->path);
        out->path = NULL;
        return LP_ERR_NOMEM;
    }
    out->tmp_path = tmp.data;
    return LP_OK;
}

lp_status lp_outfile_open(lp_outfile *out, const char *path)
{
    lp_status st = lp_outfile_prepare(out, path);
    if (st) return st;
    out->fp = fopen(out->tmp_path, "wb");
    if (!out->fp) {
        lp_outfile_abort(out);
        return LP_ERR_OUTPUT;
    }
    /* record files run to megabytes: 256 KiB writes instead of 4 KiB ones
     * (without the memory, stdio keeps its own buffer) */
    if ((out->buf = lp_malloc(OUTFILE_BUFFER)) != NULL)
        setvbuf(out->fp, out->buf, _IOFBF, OUTFILE_BUFFER);
    return LP_OK;
}

static void release(lp_outfile *out)
{
    lp_free(out->path);
    lp_free(out->tmp_path);
    out->path = out->tmp_path = NULL;
    out->fp = NULL;
    lp_free(out->buf); /* after fclose */
    out->buf = NULL;
}

lp_status lp_outfile_commit(lp_outfile *out)
{
    if (!out->tmp_path) return LP_ERR_USAGE;
    bool ok = true;
    if (out->fp) {
        ok = fflush(out->fp) == 0 && !ferror(out->fp);
        ok = (fclose(out->fp) == 0) && ok;
        out->fp = NULL;
    }
    if (ok) ok = rename(out->tmp_path, out->path) == 0;
    if (!ok) unlink(out->tmp_path);
    release(out);
    return ok ? LP_OK : LP_ERR_OUTPUT;
}

void lp_outfile_abort(lp_outfile *out)
{
    if (out->fp) fclose(out->fp);
    if (out->tmp_path) unlink(out->tmp_path);
    release(out);
}

lp_status lp_mkdir_p(const char *path)
{
    char *copy = lp_strdup(path);
    if (!copy) return LP_ERR_NOMEM;
    lp_status st = LP_OK;
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
                st = LP_ERR_OUTPUT;
                break;
            }
            *p = saved;
            if (!saved) break;
        }
    }
    lp_free(copy);
    return st;
}

/* The one rule for a relative path in a mapping or a template, so the two
 * readers cannot drift apart. Backslashes count as separators and drive
 * letters are refused even on POSIX: a file written on Windows must not
 * reach outside its folder when read there. */
bool lp_path_inside(const char *relative)
{
    const char *p = relative;
    if (!*p || p[0] == '/' || p[0] == '\\' || p[0] == '~') return false;
    if (isalpha((unsigned char)p[0]) && p[1] == ':') return false;
    for (const char *s = p; *s;) {
        size_t len = strcspn(s, "/\\");
        if (len == 2 && s[0] == '.' && s[1] == '.') return false;
        s += len;
        if (*s) s++;
    }
    return true;
}

/* lp_path_inside: the one rule for relative paths in mappings and templates.
 * Cases listed by hand from the two rules it replaced (engine/mapping's and
 * reports/template's path_inside); the drive-letter cases were refused only
 * by the mapping's copy and are now refused everywhere. */
#include <criterion/criterion.h>
#include <stdbool.h>

#include "lp/fileio.h"

typedef struct path_case {
    const char *relative;
    bool inside;
} path_case;

static const path_case cases[] = {
    /* accepted by both old copies */
    {"Lead.csv", true},
    {"exports/Lead.csv", true},
    {"exports\\Lead.csv", true},
    {"./Lead.csv", true},
    {"..a", true},
    {"a..", true},
    {"a/..b/c", true},
    {"...", true},
    {"base.yaml", true},
    {"packs/base.yaml", true},
    /* refused by both old copies */
    {"", false},
    {"/etc/passwd", false},
    {"\\share\\x", false},
    {"~/x", false},
    {"..", false},
    {"../x", false},
    {"a/../b", false},
    {"a/..", false},
    {"a\\..\\b", false},
    {"..\\x", false},
    {"a//../b", false},
    /* drive letters: refused by the mapping's copy only, now by both */
    {"C:foo", false},
    {"C:\\x", false},
    {"c:/x", false},
    {"z:", false},
    /* not a drive letter */
    {"1:x", true},
    {"ab:x", true},
};

Test(fileio, path_inside)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const path_case *pc = &cases[i];
        cr_expect_eq(lp_path_inside(pc->relative), pc->inside, "\"%s\": want %s",
                     pc->relative, pc->inside ? "inside" : "refused");
    }
}

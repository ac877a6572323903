/* The exit statuses of the leadpack command, from README "Exit status":
 * 0 done, 1 usage error, 2 bad input, 3 output could not be written,
 * 4 delivery failed. Every status listed by hand. */
#include <criterion/criterion.h>

#include "lp/lp.h"

typedef struct exit_case {
    lp_status status;
    int exit_code;           /* lp_status_exit_code */
    int blaming_bad_input;   /* lp_status_exit_code_blaming(status, 2) */
    int blaming_usage;       /* lp_status_exit_code_blaming(status, 1) */
} exit_case;

static const exit_case cases[] = {
    {LP_OK, 0, 0, 0},
    {LP_ERR_USAGE, 1, 2, 1},
    {LP_ERR_INPUT, 2, 2, 1},
    {LP_ERR_CONFIG, 2, 2, 1},
    {LP_ERR_NOTFOUND, 2, 2, 1},
    {LP_ERR_LIMIT, 2, 2, 1},
    {LP_ERR_MATH, 2, 2, 1},
    {LP_ERR_DATABASE, 2, 2, 1},
    {LP_ERR_IO, 3, 2, 1},
    {LP_ERR_OUTPUT, 3, 2, 1},
    {LP_ERR_NOMEM, 3, 3, 3},
    {LP_ERR_DELIVERY, 4, 2, 1},
};

Test(status, exit_codes)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const exit_case *c = &cases[i];
        const char *name = lp_status_str(c->status);
        cr_expect_eq(lp_status_exit_code(c->status), c->exit_code, "%s", name);
        cr_expect_eq(lp_status_exit_code_blaming(c->status, 2), c->blaming_bad_input, "%s",
                     name);
        cr_expect_eq(lp_status_exit_code_blaming(c->status, 1), c->blaming_usage, "%s", name);
    }
}

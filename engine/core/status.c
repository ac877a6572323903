/* Status names and exit codes (lp.h). */
#include "lp/lp.h"

const char *lp_status_str(lp_status status)
{
    switch (status) {
    case LP_OK: return "ok";
    case LP_ERR_NOMEM: return "out of memory";
    case LP_ERR_IO: return "input/output error";
    case LP_ERR_USAGE: return "usage error";
    case LP_ERR_INPUT: return "bad input";
    case LP_ERR_CONFIG: return "bad configuration";
    case LP_ERR_NOTFOUND: return "not found";
    case LP_ERR_LIMIT: return "limit exceeded";
    case LP_ERR_MATH: return "statistic undefined";
    case LP_ERR_OUTPUT: return "output could not be written";
    case LP_ERR_DELIVERY: return "delivery failed";
    case LP_ERR_DATABASE: return "database error";
    }
    return "unknown status";
}

int lp_status_exit_code(lp_status status)
{
    switch (status) {
    case LP_OK: return 0;
    case LP_ERR_USAGE: return 1;
    case LP_ERR_INPUT:
    case LP_ERR_CONFIG:
    case LP_ERR_NOTFOUND:
    case LP_ERR_LIMIT:
    case LP_ERR_DATABASE:
    case LP_ERR_MATH: return 2;
    case LP_ERR_IO:
    case LP_ERR_NOMEM:
    case LP_ERR_OUTPUT: return 3;
    case LP_ERR_DELIVERY: return 4;
    }
    return 3;
}

/* Running out of memory is never the user's fault, so it keeps its own exit
 * code whatever the step blames. */
int lp_status_exit_code_blaming(lp_status status, int blamed_exit_code)
{
    if (status == LP_OK || status == LP_ERR_NOMEM) return lp_status_exit_code(status);
    return blamed_exit_code;
}

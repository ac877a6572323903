/* reports.h: renderers of a result set (see each part's header). */
#ifndef LP_REPORTS_H
#define LP_REPORTS_H
#include "lp/results.h"
#endif

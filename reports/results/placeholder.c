/* Keeps the reports library non-empty until its parts land. */
#include "lp/reports.h"

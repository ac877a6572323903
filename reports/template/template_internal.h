/*
 * template_internal.h: private to reports/, not part of any public contract.
 */
#ifndef LP_TEMPLATE_INTERNAL_H
#define LP_TEMPLATE_INTERNAL_H

#include "lp/template.h"

/* A template holding only the default wording of templates_dir/wording.yaml
 * (no sections), for a narrative built without a pack. Released with
 * lp_template_free. */
lp_status lp_template_wording_load(const char *templates_dir, lp_template **out,
                                   char *errmsg);

#endif

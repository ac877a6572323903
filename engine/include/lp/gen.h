/*
 * gen.h: realistic synthetic exports for tests, demos and benchmarks.
 *
 * The generator draws one year of a company's CRM and marketing data, ending
 * at the fixed as-of 2026-11-23T09:00:00Z (52 full ISO weeks, 2025-W48 to
 * 2026-W47, and the as-of morning), and writes it in the files and headers
 * of one export dialect, exactly as templates/profiles/DIALECT.yaml reads
 * them (the column names are taken from that profile).
 *
 * What it holds: leads with weekly seasonality (quiet weekends), holidays
 * and slow growth; an inbound / outbound / partner mix; campaigns with
 * costs and member statuses; five teams, one of them partners (partner
 * users); MQL and SQL dates; sales activities after the MQL hand-off;
 * opportunities with stage progressions, log-normal amounts and close
 * dates. Effects planted for the measures to find:
 *   - one campaign ("ROI Clinic Webinar Series") turns MQLs into
 *     opportunities far more often than the others;
 *   - one team (Mid-Market) is much slower to the first touch;
 *   - some MQLs are never touched;
 *   - the inbound win rate rises through the year.
 *
 * Scale 1 is 1,000,000 leads, about 3,000,000 touches, 5,000,000
 * activities, 150,000 opportunities and 2,000 campaigns; counts scale
 * linearly (campaigns and users have a floor). The same dialect, scale and
 * seed give byte-identical files on every run, and every dialect of one
 * scale and seed carries the same underlying data (a dialect without a
 * table, such as HubSpot's missing campaign membership, leaves it out).
 */
#ifndef LP_GEN_H
#define LP_GEN_H

#include "lp/lp.h"

/* The as-of instant the generated data ends at (2026-11-23T09:00:00Z). */
#define LP_GEN_AS_OF INT64_C(1795424400)

/* Dialects the generator writes, a NULL-terminated static list:
 * "salesforce", "salesforce-report", "hubspot", "marketo", "pipedrive",
 * "generic". */
const char *const *lp_fixtures_dialects(void);

/* Writes the export of dialect at scale (> 0, at most 20; 1 = one million
 * leads) drawn from seed into out_dir, which is created when missing.
 * The columns the loader reads are named as the dialect's profile,
 * profiles_dir/DIALECT.yaml (templates/profiles), names them: the profile is
 * the one place a dialect's columns are named; the generator keeps the
 * value formats and the columns no profile reads.
 * Every file is written atomically (lp/fileio.h); files of other names in
 * out_dir are left alone. Uses two threads. LP_ERR_USAGE for an unknown
 * dialect or a scale out of range, LP_ERR_CONFIG when the profile cannot be
 * read or lacks a column the dialect's files carry, LP_ERR_OUTPUT when a
 * file cannot be written; errmsg (LP_ERRMSG_SIZE bytes) says why. */
lp_status lp_fixtures_generate(const char *profiles_dir, const char *dialect, double scale,
                               uint64_t seed, const char *out_dir, char *errmsg);

#endif

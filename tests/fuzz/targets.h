/*
 * Fuzz targets: each takes arbitrary bytes and drives one parser of
 * leadpack the way an untrusted file would reach it. They return 0, and
 * abort() when an invariant is broken (a parsed number that is not finite,
 * a load whose rows read are not loaded + rejected). The same functions are
 * built as libFuzzer programs (make fuzz, fuzz_<name>.c) and replayed on the
 * saved crashing inputs of regressions/ by the Criterion suite
 * (tests/cli/test_fuzz_regressions.c).
 */
#ifndef LP_FUZZ_TARGETS_H
#define LP_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* The bytes as a CSV file: lp_csv_read_header, lp_csv_read (one thread),
 * then lp_dataset_load of the generic profile with the bytes as leads.csv. */
int lp_fuzz_csv(const uint8_t *data, size_t size);
/* The first byte picks the options (decimal comma, date order); the rest is
 * given to every lp/value.h parser. */
int lp_fuzz_value(const uint8_t *data, size_t size);
/* The bytes as a user mapping file over the generic profile. */
int lp_fuzz_mapping(const uint8_t *data, size_t size);
/* The bytes as a settings file over the defaults, then every setting
 * printed. */
int lp_fuzz_settings(const uint8_t *data, size_t size);
/* The bytes as a template file (templates/ as the templates folder). */
int lp_fuzz_template(const uint8_t *data, size_t size);

/* Removes the process's temporary folder and its files (for the replay
 * test; the fuzz programs leave theirs under /tmp). */
void lp_fuzz_cleanup(void);

#endif

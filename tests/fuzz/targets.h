/*
 * Fuzz targets: each takes arbitrary bytes and drives one parser of
 * leadpack the way an untrusted file would reach it. They return 0, and
 * abort() when an invariant is broken (a parsed number that is not finite,
 * a load whose rows read are not loaded + rejected). The same functions are
 * built as libFuzzer programs (make fuzz, fuzz_<name>.c) and replayed on the
 * saved crashing inputs of regressions/ by the Criterion suite
 * (tests/cli/test_fuzz_regressions.c).
 *
 * The targets are in-process, single-threaded and write or read no file per
 * input: the bytes reach the engine through its in-memory loaders
 * (lp_csv_read_buffer, lp_dataset_load_memory, lp_settings_load_memory,
 * lp_mapping_load_prepared, lp_template_load_memory), so that libFuzzer runs
 * thousands of inputs a second (tests/fuzz/README.md).
 */
#ifndef LP_FUZZ_TARGETS_H
#define LP_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* The bytes as a CSV file: lp_csv_read_header_buffer, lp_csv_read_buffer
 * (one thread), then lp_dataset_load_memory of the generic profile with the
 * bytes as leads.csv (one thread). */
int lp_fuzz_csv(const uint8_t *data, size_t size);
/* The first byte picks the options (decimal comma, date order); the rest is
 * given to every lp/value.h parser. */
int lp_fuzz_value(const uint8_t *data, size_t size);
/* The bytes as a user mapping file (mapping.yaml) over the generic profile;
 * the profiles of templates/profiles are given in memory, and the generic
 * one is read once per process (lp_mapping_load_prepared: the result of
 * lp_mapping_load_memory). */
int lp_fuzz_mapping(const uint8_t *data, size_t size);
/* The bytes as a settings file (settings.yaml) over the defaults, then
 * every setting printed. */
int lp_fuzz_settings(const uint8_t *data, size_t size);
/* The bytes as a template file (template.yaml) beside the packs of
 * templates/packs, over the default wording of templates/wording.yaml (all
 * given in memory). */
int lp_fuzz_template(const uint8_t *data, size_t size);

/* Releases what the targets keep for the life of the process (the profiles,
 * packs and wording read once, the generic mapping and prepared profile,
 * the CSV target's settings), for the replay test under LeakSanitizer. */
void lp_fuzz_cleanup(void);

#endif

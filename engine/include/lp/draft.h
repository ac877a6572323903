/*
 * draft.h: drafting a mapping for a folder of exports leadpack has never
 * seen (`leadpack map`), and the header fingerprints that let `run` and
 * `check` notice when a recurring export's headers drift from its mapping.
 *
 * The draft is a mapping YAML file in the form lp_mapping_load reads
 * (mapping.h), standalone (no `profile:` key: every file, column and value
 * it relies on is written out), with the reasons as YAML comments:
 *  - files: which file feeds which canonical table, from the file name, the
 *    headers that fit the table's columns and, when a profile fits the
 *    folder (given, or found by lp_mapping_detect), the profile's file
 *    patterns;
 *  - columns: one source header per canonical column, chosen by name
 *    likeness (the profile's own names first when a profile fits), checked
 *    against the type sniffed from the first rows (date, number, boolean),
 *    and for keys by join coverage ("93% of these values are lead ids in
 *    Leads.csv"). A required column with two equally good candidates is left
 *    unmapped with both named in a comment, so `check` fails on it with a
 *    clear message instead of running on a guess;
 *  - values: every distinct stage and source value with its row count and a
 *    proposed meaning (stage: open, won or lost; source: inbound, partner or
 *    outbound by the settings' source lists); a guess is marked "# review";
 *  - what could not be mapped, and why;
 *  - headers: the fingerprint of each file's header line.
 *
 * headers: form (also accepted in a hand-written mapping):
 *
 *   headers:
 *     Lead.csv:
 *       sha256: 3f0c...     # of the header names, trimmed, joined by "\n"
 *       columns: [Id, FirstName, CreatedDate]
 */
#ifndef LP_DRAFT_H
#define LP_DRAFT_H

#include "lp/mapping.h"
#include "lp/settings.h"

typedef struct lp_draft_options {
    const char *input_dir;       /* folder of CSV exports */
    const char *profiles_dir;    /* templates/profiles */
    const char *profile;         /* profile to draft from, "none" for no profile, or NULL:
                                    detect one (none fitting is fine) */
    const lp_settings *settings; /* inbound and partner sources, number and date forms;
                                    NULL for the defaults */
} lp_draft_options;

/* What a draft found, for the command's log line. */
typedef struct lp_draft_summary {
    size_t files;                /* CSV files read */
    size_t files_mapped;         /* files given a canonical table */
    size_t tables;               /* canonical tables with a file */
    size_t columns;              /* canonical columns mapped */
    size_t review;               /* lines marked "# review" */
    size_t ambiguous;            /* required columns left unmapped as ambiguous */
    char profile[80];            /* profile the draft followed, or "" */
} lp_draft_summary;

/* Drafts a mapping for options->input_dir and appends its YAML text to
 * *out_yaml (the caller releases it with lp_buf_reset). *out_summary may be
 * NULL. Errors: LP_ERR_INPUT when the folder holds no readable CSV file or
 * none fits a canonical table (errmsg says why), LP_ERR_IO when the folder
 * cannot be read, LP_ERR_CONFIG for an unknown profile, LP_ERR_NOMEM. */
lp_status lp_mapping_draft(const lp_draft_options *options, lp_buf *out_yaml,
                           lp_draft_summary *out_summary, char *errmsg);

/* Hex SHA-256 of header names (each trimmed as lp_csv_read_header trims
 * them) joined by "\n": the fingerprint written under headers:. */
void lp_header_fingerprint(char *const *names, size_t n, char out_hex[65]);

/* Compares the mapping's header fingerprints (lp_mapping.header_prints)
 * with the header lines of the files now in input_dir. Calls warn once per
 * file whose headers changed, with a sentence naming the columns that are
 * gone and new ("Lead.csv: its headers differ from those the mapping was
 * drafted from; gone (renamed or dropped?): MQL_Date__c; new: MQL__c; review
 * the mapping (leadpack map drafts a new one)"),
 * or that is no longer in the folder. *out_changed (may be NULL) is the
 * number of such files. A mapping without fingerprints changes nothing. */
lp_status lp_mapping_headers_compare(const lp_mapping *mapping, const char *input_dir,
                                     void (*warn)(void *ctx, const char *file,
                                                  const char *message),
                                     void *ctx, size_t *out_changed);

#endif

/*
 * leadpack map: drafts a mapping YAML for a folder of exports leadpack has
 * never seen (lp/draft.h) and prints it on standard output, for review and
 * then `--mapping`.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lp/draft.h"

int cmd_map(int argc, char **argv)
{
    const char *input_dir = NULL, *profile = NULL, *settings_path = NULL;
    bool quiet = false;
    const cli_option map_options[] = {
        {"input", &input_dir, NULL},
        {"profile", &profile, NULL},
        {"settings", &settings_path, NULL},
        {"quiet", NULL, &quiet},
    };
    int code = cli_options_parse("map", argc, argv, map_options,
                                 sizeof map_options / sizeof *map_options);
    if (code) return code;
    if (!input_dir) {
        cli_error("map: --input DIR is required; see leadpack help map");
        return EXIT_USAGE;
    }
    cli_log_set_quiet(quiet);
    struct stat sb;
    if (stat(input_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_error("%s: no such folder", input_dir);
        return EXIT_BAD_INPUT;
    }
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_settings settings;
    lp_status st = lp_settings_init(&settings);
    if (st) {
        cli_error("settings: %s", lp_status_str(st));
        return lp_status_exit_code(st);
    }
    int exit_code = EXIT_DONE;
    lp_buf yaml = {0};
    if (settings_path && (st = lp_settings_load(&settings, settings_path, errmsg))) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = EXIT_BAD_INPUT;
        goto cleanup;
    }
    char profiles_dir[PATH_MAX + 32];
    cli_path(profiles_dir, sizeof profiles_dir, "%s/profiles", cli_templates_dir());
    double t0 = cli_now();
    lp_draft_options options = {
        .input_dir = input_dir,
        .profiles_dir = profiles_dir,
        .profile = profile,
        .settings = &settings,
    };
    lp_draft_summary summary = {0};
    st = lp_mapping_draft(&options, &yaml, &summary, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = lp_status_exit_code(st);
        goto cleanup;
    }
    if (fwrite(yaml.data, 1, yaml.len, stdout) != yaml.len || fflush(stdout) != 0) {
        cli_error("map: cannot write the draft to standard output");
        exit_code = EXIT_OUTPUT;
        goto cleanup;
    }
    cli_log("map %.2f s: %zu of %zu files mapped to %zu tables, %zu columns; %zu to review, "
            "%zu ambiguous%s%s", cli_now() - t0, summary.files_mapped, summary.files,
            summary.tables, summary.columns, summary.review, summary.ambiguous,
            summary.profile[0] ? "; following the profile " : "; no profile fits",
            summary.profile);
cleanup:
    lp_buf_reset(&yaml);
    lp_settings_clear(&settings);
    return exit_code;
}

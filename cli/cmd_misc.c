/* leadpack fixtures and leadpack templates. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lp/gen.h"
#include "lp/template.h"

int cmd_fixtures(int argc, char **argv)
{
    const char *dialect = NULL, *out_dir = NULL;
    double scale = 0.003;
    unsigned long long seed = 42;
    bool quiet = false;
    const char *scale_text = NULL, *seed_text = NULL;
    const cli_option fixtures_options[] = {
        {"dialect", &dialect, NULL}, {"scale", &scale_text, NULL}, {"seed", &seed_text, NULL},
        {"out", &out_dir, NULL},     {"quiet", NULL, &quiet},
    };
    int code = cli_options_parse("fixtures", argc, argv, fixtures_options,
                                 sizeof fixtures_options / sizeof *fixtures_options);
    if (code) return code;
    char *end;
    if (scale_text) {
        scale = strtod(scale_text, &end);
        if (*end || !(scale > 0) || scale > 100) {
            cli_error("fixtures: --scale \"%s\" is not a number between 0 and 100", scale_text);
            return EXIT_USAGE;
        }
    }
    if (seed_text) {
        seed = strtoull(seed_text, &end, 10);
        if (*end || !*seed_text) {
            cli_error("fixtures: --seed \"%s\" is not a whole number", seed_text);
            return EXIT_USAGE;
        }
    }
    if (!dialect || !out_dir) {
        cli_error("fixtures: --dialect and --out are required; see leadpack help fixtures");
        return EXIT_USAGE;
    }
    cli_log_set_quiet(quiet);
    char errmsg[LP_ERRMSG_SIZE] = "";
    double t0 = cli_now();
    char profiles_dir[PATH_MAX + 32];
    cli_path(profiles_dir, sizeof profiles_dir, "%s/profiles", cli_templates_dir());
    lp_status st = lp_fixtures_generate(profiles_dir, dialect, scale, (uint64_t)seed, out_dir,
                                        errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code(st);
    }
    cli_log("fixtures %.2f s: %s at scale %g, seed %llu, in %s", cli_now() - t0, dialect,
            scale, seed, out_dir);
    return EXIT_DONE;
}

static void print_template(void *ctx, const char *name, const char *description)
{
    (void)ctx;
    printf("%-26s %s\n", name, description);
}

int cmd_templates(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        cli_error("templates: takes no arguments");
        return EXIT_USAGE;
    }
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_template_list(cli_templates_dir(), print_template, NULL, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return EXIT_BAD_INPUT;
    }
    return EXIT_DONE;
}

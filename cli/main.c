/*
 * leadpack: the command. Subcommands share GNU-style options; each has its
 * own help (`leadpack help run`). Exit codes: 0 done, 1 usage error, 2 bad
 * input, 3 output could not be written, 4 delivery failed.
 */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

static const char usage_text[] =
    "Usage: leadpack COMMAND [OPTIONS]\n"
    "\n"
    "Publishes one agreed set of sales and marketing lead figures from CRM exports.\n"
    "\n"
    "Commands:\n"
    "  run        build the pack: PDF, workbook and results files (default: the sample)\n"
    "  check      read exports and report what loads, what is rejected and why\n"
    "  map        draft a mapping file for a folder of exports it has never seen\n"
    "  fixtures   generate realistic sample exports in a CRM's dialect\n"
    "  templates  list the report packs that ship with leadpack\n"
    "  mail       email a pack that was built\n"
    "  history    list the figures the ledger says were published, and when\n"
    "  help CMD   show the options of a command\n"
    "\n"
    "Options: --help, --version.  Exit status: 0 done, 1 usage error, 2 bad input,\n"
    "3 output could not be written, 4 delivery failed.\n";

static const struct {
    const char *name;
    const char *help;
} command_help[] = {
    {"run",
     "Usage: leadpack run [--input DIR | --source URL] [--profile NAME] [--mapping FILE]\n"
     "                    [--settings FILE] [--template NAME|FILE] [--period LABEL]\n"
     "                    [--as-of TIMESTAMP] [--out DIR] [--mail [mail options]] [--quiet]\n"
     "                    [--history FILE|URL | --no-history]\n"
     "\n"
     "Builds the pack into DIR (default out/): leadpack-PERIOD.pdf, leadpack-PERIOD.xlsx,\n"
     "results/*.csv and rejects.csv. Without --input it runs on the built-in sample.\n"
     "\n"
     "  --input DIR        folder of CSV exports\n"
     "  --source URL       postgresql://user@host:port/db?schema=crm instead of --input\n"
     "  --profile NAME     export dialect: salesforce, salesforce-report, hubspot,\n"
     "                     marketo, pipedrive, generic (default: detected from headers)\n"
     "  --mapping FILE     YAML mapping of custom files, columns and values\n"
     "  --settings FILE    YAML settings (time zone, period kind, SLA hours, ...)\n"
     "  --template NAME    report pack (see `leadpack templates`), or a YAML file\n"
     "  --period LABEL     report period: 2026-W47, 2026-11, 2026-Q4 or FY2027-Q2\n"
     "                     (default: the last complete period before as-of; one\n"
     "                     that ends after the latest record is refused, exit 2)\n"
     "  --as-of TIMESTAMP  ISO 8601 instant the figures are true at\n"
     "                     (default: the latest event in the exports; rows dated\n"
     "                     after now, or $LEADPACK_NOW, are set aside as\n"
     "                     future-dated and listed in rejects.csv)\n"
     "  --out DIR          output folder (default: out)\n"
     "  --mail             email the pack when built (see `leadpack help mail`)\n"
     "  --quiet            no progress or phase log on stderr\n"
     "  --history FILE|URL the ledger of published figures (default DIR/history.sqlite):\n"
     "                     an SQLite file, or postgresql://user@host:port/db?schema=S\n"
     "                     (password only from PGPASSWORD, ~/.pgpass or a service file).\n"
     "                     The run records what it published there, once the pack is\n"
     "                     written, and writes results/restatements.csv: every figure\n"
     "                     published earlier whose value has changed since, and why\n"
     "  --no-history       keep no ledger (no restatements)\n"},
    {"history",
     "Usage: leadpack history [--history FILE|URL] [--out DIR] [--measure M] [--period P]\n"
     "                        [--json]\n"
     "\n"
     "Lists what the ledger says was published, and when: one line per figure and\n"
     "period of every run (run, published_at, as_of, pack period, measure, period,\n"
     "value, unit, number of records behind it), oldest run first. The ledger is\n"
     "--history, else DIR/history.sqlite (default out/). --measure and --period keep\n"
     "one measure or one period; --json prints one JSON array.\n"},
    {"check",
     "Usage: leadpack check [--input DIR | --source URL] [--profile NAME] [--mapping FILE]\n"
     "                      [--settings FILE] [--json]\n"
     "\n"
     "Reads the exports and reports, per file, the detected dialect, rows read, loaded\n"
     "and rejected, which source column fed which canonical columns (one column may\n"
     "feed several: FirstContact -> created_at, mql_at), nulls per column, the first\n"
     "rejects with reasons (rows dated after now, or $LEADPACK_NOW, among them), the\n"
     "values of mapped value columns that the mapping does not name, with counts\n"
     "(origin (leads.source): 1,099 rows 'unknown', 150 'other' have no channel), and\n"
     "data-quality findings. Exit 0 when the exports can be used. --json prints one\n"
     "JSON object (per file \"columns\"; \"unmapped\").\n"},
    {"map",
     "Usage: leadpack map --input DIR [--profile NAME] [--settings FILE] [--quiet]\n"
     "\n"
     "Writes a draft mapping (the YAML that --mapping reads) to standard output for a\n"
     "folder of exports: which file holds which table, a source column for every\n"
     "canonical column with the reason as a comment (name, sniffed type, join\n"
     "coverage), stage and source value maps listing every value found with its count\n"
     "and proposed meaning, what could not be mapped and why, and the header\n"
     "fingerprints that let run and check warn when the export's columns change.\n"
     "Lines marked \"# review\" are guesses. A required column with two equally good\n"
     "candidates is left unmapped (AMBIGUOUS), so check fails until you choose.\n"
     "\n"
     "  --input DIR        folder of CSV exports\n"
     "  --profile NAME     draft from this profile's names (default: the profile whose\n"
     "                     headers fit, if any; else names, types and joins alone;\n"
     "                     \"none\": names, types and joins alone)\n"
     "  --settings FILE    YAML settings (inbound and partner sources, date forms)\n"
     "  --quiet            no log line on stderr\n"
     "\n"
     "Example: leadpack map --input exports/ > mapping.yaml\n"
     "         leadpack check --input exports/ --mapping mapping.yaml\n"},
    {"fixtures",
     "Usage: leadpack fixtures --dialect salesforce|hubspot|marketo|pipedrive|generic\n"
     "                         [--scale S] [--seed N] --out DIR\n"
     "\n"
     "Writes deterministic, realistic exports (scale 1 = 1,000,000 leads).\n"},
    {"templates",
     "Usage: leadpack templates\n\nLists the report packs that ship with leadpack.\n"},
    {"mail",
     "Usage: leadpack mail --to ADDR[,ADDR...] [--cc ADDR,...] [--from ADDR]\n"
     "                     [--smtp smtp://host:port | smtps://host:port] [--starttls]\n"
     "                     [--attach-workbook] [--dry-run FILE.eml] [--out DIR] [--pdf FILE]\n"
     "\n"
     "Emails the pack last built in DIR (default out/), or the given PDF.\n"
     "Credentials come from LEADPACK_SMTP_USER and LEADPACK_SMTP_PASSWORD or ~/.netrc,\n"
     "never from the command line.\n"
     "STARTTLS is required (settings mail.starttls, on by default) unless the server\n"
     "is on this machine (localhost, 127.x.x.x, [::1]); --starttls requires it always.\n"},
};

static int print_help(const char *command)
{
    for (size_t i = 0; i < sizeof command_help / sizeof command_help[0]; i++) {
        if (strcmp(command, command_help[i].name) == 0) {
            fputs(command_help[i].help, stdout);
            return EXIT_DONE;
        }
    }
    cli_error("no command \"%s\"; see leadpack --help", command);
    return EXIT_USAGE;
}

/* The loader's parser threads allocate and free a few MiB of chunk tables
 * and staging pools per 4 MiB of input. With glibc's defaults those blocks
 * are mapped and unmapped each time, or trimmed off the thread arenas, and
 * every reuse faults its pages back in (zeroed, on the CPU the parse needs).
 * Blocks below 32 MiB (glibc's own ceiling for its adaptive threshold) come
 * from the arenas from the start, and an arena keeps up to 256 MiB free
 * for the next chunk; the loader hands the rest back once it is done
 * (malloc_trim in lp_dataset_load). */
static void malloc_tune(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int main(int argc, char **argv)
{
    malloc_tune();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        fputs(usage_text, stdout);
        return EXIT_DONE;
    }
    if (strcmp(command, "--version") == 0) {
        printf("leadpack %s\n", LP_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(command, "help") == 0) {
        if (argc < 3) {
            fputs(usage_text, stdout);
            return EXIT_DONE;
        }
        return print_help(argv[2]);
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return print_help(command);
    }
    if (strcmp(command, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(command, "check") == 0) return cmd_check(argc - 1, argv + 1);
    if (strcmp(command, "fixtures") == 0) return cmd_fixtures(argc - 1, argv + 1);
    if (strcmp(command, "templates") == 0) return cmd_templates(argc - 1, argv + 1);
    if (strcmp(command, "mail") == 0) return cmd_mail(argc - 1, argv + 1);
    if (strcmp(command, "map") == 0) return cmd_map(argc - 1, argv + 1);
    if (strcmp(command, "history") == 0) return cmd_history(argc - 1, argv + 1);
    cli_error("unknown command \"%s\"; see leadpack --help", command);
    return EXIT_USAGE;
}

/* Settings: defaults of templates/DEFINITIONS.md ("Settings that change definitions"),
 * the documented template, overrides and line-numbered errors. Expected
 * values are read off templates/DEFINITIONS.md and the brief, not from program output. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp/settings.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lp_settings_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

Test(settings, defaults_follow_metrics)
{
    lp_settings s;
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    cr_expect_str_eq(s.time_zone, "UTC");
    cr_expect_eq(s.calendar.kind, LP_PERIOD_WEEK);
    cr_expect_eq(s.calendar.fiscal_start_month, 1);
    static const char *const inbound[] = {"web", "website", "organic search", "paid search",
                                          "social", "email", "content", "webinar", "event",
                                          "chat", "referral"};
    cr_assert_eq(s.n_inbound_sources, 11);
    for (size_t i = 0; i < 11; i++) cr_expect_str_eq(s.inbound_sources[i], inbound[i]);
    static const char *const partner[] = {"partner", "partner referral", "reseller", "channel"};
    cr_assert_eq(s.n_partner_sources, 4);
    for (size_t i = 0; i < 4; i++) cr_expect_str_eq(s.partner_sources[i], partner[i]);
    cr_expect_eq(s.qualification, LP_QUALIFY_NONE);
    cr_expect_float_eq(s.sla_hours, 24.0, 1e-12);
    cr_expect(!s.business_hours.enabled);
    cr_expect_eq(s.followup_activities, 3);
    cr_expect_eq(s.followup_days, 7);
    cr_expect_eq(s.attribution, LP_ATTR_FIRST_TOUCH);
    cr_expect_str_eq(s.currency, "USD");
    cr_expect_float_eq(s.sla_target, 0.95, 1e-12);
    cr_expect_str_eq(s.paper, "A4");
    cr_expect_null(s.mail_to);
    cr_expect_float_eq(s.mail_max_mb, 10.0, 1e-12);
    cr_expect_eq(s.max_file_bytes, (size_t)8 * 1024 * 1024 * 1024);
    cr_expect_eq(s.max_field_bytes, (size_t)1024 * 1024);
    cr_expect_eq(s.max_columns, 2000);
    cr_expect_str_eq(s.db_mode, "copy");
    lp_settings_clear(&s);
    lp_settings_clear(&s); /* a second clear is harmless */
}

Test(settings, attribution_names)
{
    cr_expect_str_eq(lp_attribution_name(LP_ATTR_FIRST_TOUCH), "first_touch");
    cr_expect_str_eq(lp_attribution_name(LP_ATTR_LAST_TOUCH), "last_touch");
    cr_expect_str_eq(lp_attribution_name(LP_ATTR_LINEAR), "linear");
    cr_expect_str_eq(lp_attribution_name(LP_ATTR_U_SHAPED), "u_shaped");
    cr_expect_str_eq(lp_attribution_name(LP_ATTR_W_SHAPED), "w_shaped");
}

typedef struct listing {
    char text[8192];
    int count;
} listing;

static void collect(void *ctx, const char *key, const char *value)
{
    listing *l = ctx;
    size_t len = strlen(l->text);
    snprintf(l->text + len, sizeof l->text - len, "%s=%s\n", key, value);
    l->count++;
}

/* The documented template holds every key at its default: loading it must
 * change nothing that the Parameters sheet shows. */
Test(settings, template_is_the_defaults)
{
    lp_settings a, b;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_settings_init(&a), LP_OK);
    cr_assert_eq(lp_settings_init(&b), LP_OK);
    lp_status st = lp_settings_load(&b, LP_SOURCE_DIR "/templates/settings.yaml", err);
    cr_assert_eq(st, LP_OK, "%s", err);
    static listing la, lb;
    lp_settings_each(&a, collect, &la);
    lp_settings_each(&b, collect, &lb);
    cr_expect_str_eq(la.text, lb.text);
    cr_expect_eq(la.count, 30); /* every field of lp_settings, mail and limits spelled out */
    cr_expect(strstr(la.text, "sla_hours=24\n"));
    cr_expect(strstr(la.text, "sla_min_leads=5\n"));
    cr_expect(strstr(la.text, "business_hours=off (wall-clock hours)\n"));
    cr_expect(strstr(la.text, "limits.max_file_bytes=8589934592\n")); /* 8 * 2^30 */
    lp_settings_clear(&a);
    lp_settings_clear(&b);
}

Test(settings, overrides_and_business_hours, .init = make_tmpdir, .fini = remove_tmpdir)
{
    const char *path = write_file("s.yaml",
        "time_zone: Europe/Berlin\n"
        "period: fiscal-quarter\n"
        "fiscal_start_month: 4\n"
        "inbound_sources: [' Web ', Demo Request]\n"
        "sla_hours: 4.5\n"
        "business_hours: {time_zone: America/New_York, mon: \"09:00-17:00\",\n"
        "                 fri: \"08:30-16:00\", sat: closed}\n"
        "attribution: W-shaped\n"
        "currency: eur\n"
        "targets_file: targets.csv\n"
        "mail:\n"
        "  to: [a@example.com, b@example.com]\n"
        "  smtp: smtp://127.0.0.1:2525\n"
        "limits: {max_file_bytes: 2GB, max_columns: 50}\n");
    lp_settings s;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    cr_assert_eq(lp_settings_load(&s, path, err), LP_OK, "%s", err);
    cr_expect_str_eq(s.time_zone, "Europe/Berlin");
    cr_expect_eq(s.calendar.kind, LP_PERIOD_FISCAL_QUARTER);
    cr_expect_eq(s.calendar.fiscal_start_month, 4);
    cr_assert_eq(s.n_inbound_sources, 2);
    cr_expect_str_eq(s.inbound_sources[0], "web");          /* trimmed, lower-case */
    cr_expect_str_eq(s.inbound_sources[1], "demo request");
    cr_expect_eq(s.n_partner_sources, 4);                    /* untouched default */
    cr_expect_float_eq(s.sla_hours, 4.5, 1e-12);
    cr_expect(s.business_hours.enabled);
    cr_expect_str_eq(s.business_hours.time_zone, "America/New_York");
    cr_expect_eq(s.business_hours.start_minute[0], 9 * 60);
    cr_expect_eq(s.business_hours.end_minute[0], 17 * 60);
    cr_expect_eq(s.business_hours.start_minute[4], 8 * 60 + 30);
    cr_expect_eq(s.business_hours.end_minute[4], 16 * 60);
    cr_expect_eq(s.business_hours.start_minute[1], s.business_hours.end_minute[1]); /* unnamed: closed */
    cr_expect_eq(s.business_hours.start_minute[5], s.business_hours.end_minute[5]);
    cr_expect_eq(s.attribution, LP_ATTR_W_SHAPED);
    cr_expect_str_eq(s.currency, "EUR");
    char expect_targets[300];
    snprintf(expect_targets, sizeof expect_targets, "%s/targets.csv", tmpdir);
    cr_expect_str_eq(s.targets_file, expect_targets);
    cr_expect_str_eq(s.mail_to, "a@example.com, b@example.com");
    cr_expect_str_eq(s.mail_smtp, "smtp://127.0.0.1:2525");
    cr_expect_eq(s.max_file_bytes, (size_t)2000000000);
    cr_expect_eq(s.max_columns, 50);
    static listing l;
    cr_expect_eq(lp_settings_each(&s, collect, &l), LP_OK);
    cr_expect(strstr(l.text, "business_hours=mon 09:00-17:00, tue closed, wed closed, thu closed, "
                             "fri 08:30-16:00, sat closed, sun closed; time zone America/New_York\n"),
              "%s", l.text);
    cr_expect(strstr(l.text, "period=fiscal-quarter\n"));
    /* A list that cannot be put in words (no memory) is not passed off as
     * an empty one: the listing fails and the caller publishes nothing. */
    static listing failed;
    lp_alloc_fail_after(1);
    lp_status st = lp_settings_each(&s, collect, &failed);
    lp_alloc_fail_after(0);
    cr_expect_eq(st, LP_ERR_NOMEM);
    lp_settings_clear(&s);
}

typedef struct bad_case {
    char yaml[160];
    char message[160]; /* expected errmsg */
} bad_case;

ParameterizedTestParameters(settings, errors_name_the_line)
{
    static bad_case cases[] = {
        {"sla_hours: 24\nsla_hourz: 3\n",
         "bad.yaml line 2: unknown setting \"sla_hourz\" (did you mean \"sla_hours\"?)"},
        {"sla_hours: -1\n", "bad.yaml line 1: sla_hours: -1 is out of range (above 0 and at most 8760)"},
        {"sla_hours: soon\n", "bad.yaml line 1: sla_hours: \"soon\" is not a number"},
        {"attribution: last-click\n",
         "bad.yaml line 1: attribution: \"last-click\" is not one of first_touch, last_touch, "
         "linear, u_shaped, w_shaped"},
        {"\ntime_zone: Mars/Olympus\n",
         "bad.yaml line 2: time_zone: \"Mars/Olympus\" is not a time zone (use an IANA name "
         "such as Europe/Berlin or UTC)"},
        {"business_hours:\n  mon: 9-5\n",
         "bad.yaml line 2: business_hours.mon: \"9-5\" is not hours like \"09:00-17:00\" or closed"},
        {"business_hours:\n  mon: \"09:00-17:00\"\n  munday: closed\n",
         "bad.yaml line 3: business_hours: unknown key \"munday\" (did you mean \"monday\"?)"},
        {"inbound_sources: {web: 1}\n",
         "bad.yaml line 1: inbound_sources: expected a list such as [a, b]"},
        {"mail:\n  too: x@example.com\n",
         "bad.yaml line 2: unknown mail key \"too\" (did you mean \"to\"?)"},
        {"sla_target: 1.5\n",
         "bad.yaml line 1: sla_target: 1.5 is out of range (a rate from 0 to 1, e.g. 0.95)"},
        {"fiscal_start_month: 13\n",
         "bad.yaml line 1: fiscal_start_month: 13 is out of range (1 to 12)"},
        {"limits:\n  max_file_bytes: 12 parsecs\n",
         "bad.yaml line 2: limits.max_file_bytes: \"12 parsecs\" is not a size (a number with "
         "B, KB, MB, GB, KiB, MiB or GiB)"},
        {"decimal_comma: maybe\n", "bad.yaml line 1: decimal_comma: \"maybe\" is not true or false"},
        {"qualification: status\n",
         "bad.yaml line 1: qualification: status needs qualify_statuses (the lead statuses "
         "that make an MQL)"},
        {"- just\n- a list\n", "bad.yaml line 1: expected a mapping of keys to values"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *c, settings, errors_name_the_line, .init = make_tmpdir,
                  .fini = remove_tmpdir)
{
    const char *path = write_file("bad.yaml", c->yaml);
    lp_settings s;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    s.sla_hours = 12;
    cr_expect_eq(lp_settings_load(&s, path, err), LP_ERR_CONFIG);
    cr_expect_str_eq(err, c->message);
    cr_expect_float_eq(s.sla_hours, 12.0, 1e-12); /* a failed load changes nothing */
    lp_settings_clear(&s);
}

Test(settings, syntax_error_and_missing_file, .init = make_tmpdir, .fini = remove_tmpdir)
{
    lp_settings s;
    char err[LP_ERRMSG_SIZE] = "";
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    const char *path = write_file("syntax.yaml", "sla_hours: 24\nperiod: [week\n");
    cr_expect_eq(lp_settings_load(&s, path, err), LP_ERR_CONFIG);
    cr_expect(strncmp(err, "syntax.yaml line ", 17) == 0, "%s", err);
    cr_expect_eq(lp_settings_load(&s, "/nonexistent/settings.yaml", err), LP_ERR_IO);
    lp_settings_clear(&s);
}

Test(settings, allocation_failures_do_not_leak_or_crash, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    const char *path = write_file("s.yaml", "inbound_sources: [a, b, c]\nmail: {to: [x, y]}\n"
                                            "targets_file: t.csv\n");
    for (long n = 1; n < 200; n++) {
        lp_settings s;
        char err[LP_ERRMSG_SIZE];
        lp_alloc_fail_after(n);
        lp_status st = lp_settings_init(&s);
        if (!st) {
            st = lp_settings_load(&s, path, err);
            lp_settings_clear(&s);
        }
        lp_alloc_fail_after(0);
        if (st == LP_OK) break;
        cr_expect(st == LP_ERR_NOMEM || st == LP_ERR_CONFIG, "n=%ld st=%d", n, st);
    }
}

/* Charts: pixels where bars of known values must be, files, sticky status. */
#include <criterion/criterion.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp/chart.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/lp-chart-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

/* Pixel (x, y) of an ARGB32 image surface as 0xRRGGBB. */
static unsigned pixel(cairo_surface_t *s, int x, int y)
{
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    uint32_t v;
    memcpy(&v, data + (size_t)y * stride + (size_t)x * 4, 4);
    return v & 0xffffff;
}

/* The first series colour, Okabe-Ito blue #0072B2. */
#define BLUE 0x0072b2u
#define WHITE 0xffffffu

Test(chart, bars_of_known_height_at_known_pixels)
{
    const char *labels[] = {"A", "B", "C"};
    const double values[] = {10, 40, 25};
    lp_chart *chart = lp_chart_new(LP_CHART_BARS);
    lp_chart_set_categories(chart, labels, 3);
    lp_chart_add_series(chart, "MQLs", values, NULL, NULL, 3);
    lp_chart_set_value_range(chart, 0, 50);
    lp_chart_set_value_labels(chart, false);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 300);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    lp_chart_draw(chart, cr, 0, 0, 400, 300);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    cr_assert_eq(lp_chart_status(chart), LP_OK);
    double px, py, pw, ph;
    lp_chart_plot_area(chart, &px, &py, &pw, &ph);
    cr_assert(pw > 200 && ph > 150, "plot area %gx%g", pw, ph);
    for (int i = 0; i < 3; i++) {
        /* Band i is [px + i*pw/3, px + (i+1)*pw/3); the bar is its middle
         * 70%. Value v on 0..50 is at py + ph * (1 - v/50) (chart.h). */
        int cx = (int)(px + (i + 0.5) * pw / 3);
        int top = (int)(py + ph * (1 - values[i] / 50));
        cr_expect_eq(pixel(surface, cx, top + 3), BLUE, "bar %d below its top", i);
        cr_expect_eq(pixel(surface, cx, (int)(py + ph) - 3), BLUE, "bar %d at base", i);
        cr_expect_eq(pixel(surface, cx, top - 4) == BLUE, 0, "bar %d above its top", i);
        /* Between bars (band edges) there is no bar colour. */
        int gap = (int)(px + i * pw / 3 + pw / 3 * 0.05);
        cr_expect_neq(pixel(surface, gap, (int)(py + ph) - 3), BLUE, "gap before bar %d", i);
    }
    /* The 40 bar reaches 3/4 of the plot height, the 10 bar does not. */
    int y75 = (int)(py + ph * 0.25) + 3;
    cr_expect_eq(pixel(surface, (int)(px + 1.5 * pw / 3), y75), BLUE);
    cr_expect_eq(pixel(surface, (int)(px + 0.5 * pw / 3), y75), WHITE);
    cairo_surface_destroy(surface);
    lp_chart_free(chart);
}

Test(chart, horizontal_bars_grow_from_the_left)
{
    const char *labels[] = {"North", "South"};
    const double values[] = {0.5, 1.0};
    lp_chart *chart = lp_chart_new(LP_CHART_HBARS);
    lp_chart_set_categories(chart, labels, 2);
    lp_chart_add_series(chart, "Compliance", values, NULL, NULL, 2);
    lp_chart_set_value_axis(chart, LP_UNIT_SHARE, NULL, NULL);
    lp_chart_set_value_range(chart, 0, 1);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 400, 200);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    lp_chart_draw(chart, cr, 0, 0, 400, 200);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    double px, py, pw, ph;
    lp_chart_plot_area(chart, &px, &py, &pw, &ph);
    int row0 = (int)(py + ph / 4), row1 = (int)(py + 3 * ph / 4);
    /* 50%: blue up to half the width, not beyond. */
    cr_expect_eq(pixel(surface, (int)(px + pw * 0.5) - 3, row0), BLUE);
    cr_expect_neq(pixel(surface, (int)(px + pw * 0.5) + 4, row0), BLUE);
    cr_expect_eq(pixel(surface, (int)(px + pw) - 3, row1), BLUE);
    cairo_surface_destroy(surface);
    lp_chart_free(chart);
}

static bool file_starts_with(const char *path, const char *magic, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    char buf[16] = {0};
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    return got == n && memcmp(buf, magic, n) == 0;
}

Test(chart, every_kind_writes_png_and_svg, .init = make_tmpdir)
{
    const char *periods[] = {"2026-W44", "2026-W45", "2026-W46", "2026-W47"};
    const double a[] = {120, 135, 128, 150}, lo[] = {110, 120, 115, 130},
                 hi[] = {130, 150, 141, 170}, b[] = {60, 70, NAN, 65};
    const char *kinds[] = {"bars", "hbars", "stacked", "hstacked", "line_band", "funnel",
                           "intervals", "step"};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        lp_chart_kind kind;
        cr_assert_eq(lp_chart_kind_parse(kinds[k], &kind), LP_OK);
        lp_chart *chart = lp_chart_new(kind);
        lp_chart_set_title(chart, kinds[k]);
        if (kind == LP_CHART_STEP) {
            const double x[] = {1, 5, 20, 30}, y[] = {0.2, 0.5, 0.8, 0.9};
            lp_chart_add_xy_series(chart, "North", x, y, 4);
            lp_chart_add_xy_series(chart, "South", x, a, 0); /* empty curve is fine */
            lp_chart_set_x_axis(chart, LP_UNIT_HOURS, "Hours after hand-off");
            lp_chart_add_x_reference(chart, 24, "SLA 24 h");
        } else {
            lp_chart_set_categories(chart, periods, 4);
            lp_chart_add_series(chart, "Inbound", a, lo, hi, 4);
            lp_chart_add_series(chart, "Partner", b, NULL, NULL, 4);
            lp_chart_set_value_axis(chart, LP_UNIT_MONEY, "USD", "Pipeline");
            lp_chart_add_reference(chart, 140, "Target");
        }
        char png[128], svg[128];
        snprintf(png, sizeof(png), "%s/%s.png", tmpdir, kinds[k]);
        snprintf(svg, sizeof(svg), "%s/%s.svg", tmpdir, kinds[k]);
        cr_expect_eq(lp_chart_write_png(chart, 600, 320, png), LP_OK, "%s", kinds[k]);
        cr_expect_eq(lp_chart_write_svg(chart, 400, 220, svg), LP_OK, "%s", kinds[k]);
        cr_expect(file_starts_with(png, "\x89PNG", 4), "%s png", kinds[k]);
        cr_expect(file_starts_with(svg, "<?xml", 5), "%s svg", kinds[k]);
        unlink(png);
        unlink(svg);
        lp_chart_free(chart);
    }
    rmdir(tmpdir);
}

Test(chart, status_is_sticky_and_first_failure_wins)
{
    const char *labels[] = {"A", "B"};
    const double v[] = {1, 2};
    lp_chart *chart = lp_chart_new(LP_CHART_BARS);
    lp_chart_set_categories(chart, labels, 2);
    lp_chart_add_series(chart, "three values for two categories", v, NULL, NULL, 3);
    cr_expect_eq(lp_chart_status(chart), LP_ERR_USAGE);
    lp_chart_set_value_range(chart, 5, 1); /* would also fail; first one stays */
    cr_expect_eq(lp_chart_status(chart), LP_ERR_USAGE);
    cr_expect_eq(lp_chart_write_png(chart, 100, 100, "/nonexistent/x.png"), LP_ERR_USAGE);
    lp_chart_free(chart);

    /* Out of memory at creation: a chart that fails, not NULL. */
    lp_alloc_fail_after(1);
    lp_chart *nil = lp_chart_new(LP_CHART_BARS);
    lp_alloc_fail_after(0);
    cr_assert_not_null(nil);
    lp_chart_set_categories(nil, labels, 2);
    cr_expect_eq(lp_chart_status(nil), LP_ERR_NOMEM);
    lp_chart_free(nil);

    /* Out of memory while adding a series. */
    chart = lp_chart_new(LP_CHART_BARS);
    lp_chart_set_categories(chart, labels, 2);
    lp_alloc_fail_after(2);
    lp_chart_add_series(chart, "s", v, NULL, NULL, 2);
    lp_alloc_fail_after(0);
    cr_expect_eq(lp_chart_status(chart), LP_ERR_NOMEM);
    lp_chart_free(chart);
}

Test(chart, unwritable_path_is_an_output_error)
{
    const char *labels[] = {"A"};
    const double v[] = {1};
    lp_chart *chart = lp_chart_new(LP_CHART_BARS);
    lp_chart_set_categories(chart, labels, 1);
    lp_chart_add_series(chart, "s", v, NULL, NULL, 1);
    cr_expect_eq(lp_chart_write_png(chart, 100, 80, "/nonexistent-dir/x.png"), LP_ERR_OUTPUT);
    cr_expect_eq(access("/nonexistent-dir/x.png", F_OK), -1);
    lp_chart_free(chart);
}

Test(chart, unknown_kind_name)
{
    lp_chart_kind kind;
    cr_expect_eq(lp_chart_kind_parse("pie", &kind), LP_ERR_NOTFOUND);
    cr_expect_eq(lp_chart_kind_parse(NULL, &kind), LP_ERR_NOTFOUND);
}

/* Neighbouring series must differ in grey as well as hue: luminance
 * 0.299 R + 0.587 G + 0.114 B of Okabe-Ito blue #0072B2 is 87, orange
 * #E69F00 162, bluish green #009E73 106 (worked by hand). */
Test(chart, palette_separates_in_greyscale)
{
    double grey[3];
    for (size_t i = 0; i < 3; i++) {
        double r, g, b;
        lp_chart_series_colour(i, &r, &g, &b);
        grey[i] = 255 * (0.299 * r + 0.587 * g + 0.114 * b);
    }
    cr_expect_float_eq(grey[0], 87.2, 0.5);
    cr_expect_float_eq(grey[1], 162.1, 0.5);
    cr_expect_float_eq(grey[2], 106.0, 0.5);
    cr_expect(grey[1] - grey[0] > 40);
    cr_expect(grey[1] - grey[2] > 40);
}

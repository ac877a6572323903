/*
 * Statistics: intervals, tests, survival, trend, Beta quantiles.
 *
 * Reference values come from scipy 1.10.1 under /usr/bin/python3 (Debian's
 * python3-scipy); the exact call is written beside each value. Wilson
 * references use the closed formula evaluated in Python (with z = 1.959964
 * at 95%, scipy.stats.norm.ppf otherwise); Kaplan-Meier cases are worked by
 * hand in comments.
 *
 * Tolerances: 1e-9 absolute for closed formulas and exact tests on small
 * tables; 1e-7 relative where GSL inverts a distribution (Beta and t
 * quantiles); 1e-6 relative for 10^9-sized inputs.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>

#include "lp/stats.h"

static void init(void) { lp_stats_init(); }

#define NEAR(a, b, tol) cr_expect(fabs((a) - (b)) <= (tol), "%s = %.15g, expected %.15g", #a, (double)(a), (double)(b))
#define NEAR_REL(a, b, rel) cr_expect(fabs((a) - (b)) <= (rel) * fabs(b) + 1e-300, "%s = %.15g, expected %.15g", #a, (double)(a), (double)(b))

/* ---------------------------------------------------------------- Wilson */

typedef struct interval_case {
    uint64_t x, n;
    double confidence, est, low, high, tol;
} interval_case;

/* Python: p=x/n; z=1.959964 (or scipy.stats.norm.ppf(1-(1-c)/2));
 * d=1+z*z/n; c=(p+z*z/(2n))/d; h=z/d*sqrt(p(1-p)/n+z*z/(4n^2)); (c-h, c+h). */
ParameterizedTestParameters(stats, wilson)
{
    static interval_case cases[] = {
        {12, 50, 0.95, 0.24, 0.142973913373266, 0.374126838719613, 1e-9},
        {0, 10, 0.95, 0.0, 0.0, 0.277532803026058, 1e-9},
        {10, 10, 0.95, 1.0, 0.722467196973942, 1.0, 1e-9},
        {1, 1, 0.95, 1.0, 0.206549311791803, 1.0, 1e-9},
        {7, 20, 0.90, 0.35, 0.202260040056761, 0.533487311151528, 1e-9},
        {500000000, 1000000000, 0.95, 0.5, 0.4999690102482, 0.5000309897518, 1e-12},
        {3, 1000000000, 0.99, 3e-9, 7.57758288844974e-10, 1.1877138228345e-08, 1e-16},
    };
    return cr_make_param_array(interval_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(interval_case *c, stats, wilson, .init = init)
{
    lp_interval r = lp_wilson(c->x, c->n, c->confidence);
    cr_assert(r.defined);
    NEAR(r.estimate, c->est, c->tol);
    NEAR(r.low, c->low, c->tol);
    NEAR(r.high, c->high, c->tol);
}

Test(stats, wilson_edges, .init = init)
{
    cr_expect_not(lp_wilson(0, 0, 0.95).defined);
    cr_expect_not(lp_wilson(5, 4, 0.95).defined);
    cr_expect_not(lp_wilson(1, 4, 1.5).defined);
    lp_interval r = lp_wilson(0, 10, 0.95);
    cr_expect_eq(r.low, 0.0); /* exactly 0, not -1e-17 */
    r = lp_wilson(10, 10, 0.95);
    cr_expect_eq(r.high, 1.0);
}

/* ------------------------------------------------------------------ z-test */

typedef struct test_case {
    uint64_t a, b, c, d;
    double statistic, p, tol;
} test_case;

/* Python: p=(x1+x2)/(n1+n2); se=sqrt(p(1-p)(1/n1+1/n2)); z=(x1/n1-x2/n2)/se;
 * pvalue = 2*scipy.stats.norm.sf(abs(z)). Fields: x1, n1, x2, n2. */
ParameterizedTestParameters(stats, two_proportion)
{
    static test_case cases[] = {
        {45, 100, 30, 100, 2.19089023002066, 0.0284597369163106, 1e-9},
        {120, 1000, 100, 1000, 1.42930084982323, 0.152917781863946, 1e-9},
        {300000000, 1000000000, 299990000, 1000000000, 0.487952360091999, 0.625583585626872, 1e-6},
    };
    return cr_make_param_array(test_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(test_case *c, stats, two_proportion, .init = init)
{
    lp_test t = lp_two_proportion_test(c->a, c->b, c->c, c->d);
    cr_assert(t.defined);
    NEAR_REL(t.statistic, c->statistic, c->tol);
    NEAR_REL(t.p_value, c->p, c->tol);
}

Test(stats, two_proportion_edges, .init = init)
{
    lp_test t = lp_two_proportion_test(0, 0, 3, 10);
    cr_expect_not(t.defined);
    cr_expect_eq(t.p_value, 1.0);
    t = lp_two_proportion_test(0, 10, 0, 20); /* nothing varies */
    cr_expect(t.defined);
    cr_expect_eq(t.p_value, 1.0);
    t = lp_two_proportion_test(10, 10, 20, 20);
    cr_expect_eq(t.p_value, 1.0);
}

/* ----------------------------------------------------------------- Poisson */

typedef struct pois_case {
    uint64_t c1, c2;
    double p, tol;
} pois_case;

/* scipy.stats.binomtest(c1, c1 + c2, 0.5).pvalue (R's rule, rerr 1+1e-7) */
ParameterizedTestParameters(stats, poisson)
{
    static pois_case cases[] = {
        {10, 20, 0.0987371467053891, 1e-9},
        {0, 5, 0.0625, 1e-12},
        {7, 7, 1.0, 1e-12},
        {15, 3, 0.007537841796875, 1e-12},
        {1, 0, 1.0, 1e-12},
        {400, 350, 0.0735077740584349, 1e-9},
        {1000000000, 1000100000, 0.0253524452382855, 1e-6},
    };
    return cr_make_param_array(pois_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(pois_case *c, stats, poisson, .init = init)
{
    lp_test t = lp_poisson_test(c->c1, c->c2);
    cr_assert(t.defined);
    NEAR_REL(t.p_value, c->p, c->tol);
    NEAR(t.statistic, (double)c->c1, 0.0);
}

Test(stats, poisson_zero_counts, .init = init)
{
    lp_test t = lp_poisson_test(0, 0);
    cr_expect_not(t.defined);
    cr_expect_eq(t.p_value, 1.0);
}

/* ------------------------------------------------------ Benjamini-Hochberg */

/* By hand, n = 5, p = (0.01, 0.04, 0.03, 0.005, 0.5); sorted
 * 0.005, 0.01, 0.03, 0.04, 0.5 -> p*5/rank = 0.025, 0.025, 0.05, 0.05, 0.5;
 * running minimum from the top leaves them as they are. Back in input
 * order: 0.025, 0.05, 0.05, 0.025, 0.5. A second case checks the running
 * minimum: p = (0.02, 0.021) -> 0.04, 0.021 -> min from top: 0.021, 0.021. */
Test(stats, benjamini_hochberg, .init = init)
{
    double p[] = {0.01, 0.04, 0.03, 0.005, 0.5};
    double q[5];
    cr_assert_eq(lp_benjamini_hochberg(p, 5, q), LP_OK);
    double want[] = {0.025, 0.05, 0.05, 0.025, 0.5};
    for (int i = 0; i < 5; i++) NEAR(q[i], want[i], 1e-15);
    double p2[] = {0.02, 0.021};
    cr_assert_eq(lp_benjamini_hochberg(p2, 2, p2), LP_OK); /* aliasing */
    NEAR(p2[0], 0.021, 1e-15);
    NEAR(p2[1], 0.021, 1e-15);
    double p3[] = {0.9, 0.8}; /* capped at 1: 0.9*2/2 = 0.9, 0.8*2/1 = 1.6 -> 0.9 */
    cr_assert_eq(lp_benjamini_hochberg(p3, 2, q), LP_OK);
    NEAR(q[0], 0.9, 1e-15);
    NEAR(q[1], 0.9, 1e-15);
    cr_expect_eq(lp_benjamini_hochberg(p, 0, q), LP_OK);
    double bad[] = {0.1, NAN};
    cr_expect_eq(lp_benjamini_hochberg(bad, 2, q), LP_ERR_USAGE);
}

/* ------------------------------------------------------------ Kaplan-Meier */

/* By hand. Subjects (time, event): 1 e, 2 c, 2 e, 3 e, 4 c, 5 e, 5 e, 6 c.
 *  t=1: at risk 8, d 1: S = 7/8 = 0.875; Greenwood sum 1/(8*7) = 1/56
 *  t=2: at risk 7 (the one censored at 2 still counts), d 1:
 *       S = 0.875 * 6/7 = 0.75; sum += 1/(7*6) -> 1/24
 *  t=3: at risk 5, d 1: S = 0.75 * 4/5 = 0.6; sum += 1/20 -> 11/120
 *  t=4: censored only, no point
 *  t=5: at risk 3, d 2: S = 0.6 * 1/3 = 0.2; sum += 2/3 -> 91/120
 * SE = S sqrt(sum): 0.875/sqrt(56), 0.75/sqrt(24), 0.6 sqrt(11/120),
 * 0.2 sqrt(91/120). Median (S <= 0.5): 5. q = 0.25 (S <= 0.75): 2, S equal
 * to the bound counts. q = 0.9 (S <= 0.1): never. */
Test(stats, kaplan_meier, .init = init)
{
    double times[] = {5, 2, 1, 6, 3, 2, 5, 4};
    bool event[] = {true, false, true, false, true, true, true, false};
    lp_km *km;
    cr_assert_eq(lp_km_new(times, event, 8, &km), LP_OK);
    cr_assert_eq(km->n, 4);
    cr_expect_eq(km->subjects, 8);
    double t_want[] = {1, 2, 3, 5}, s_want[] = {0.875, 0.75, 0.6, 0.2};
    double se_want[] = {0.875 / sqrt(56.0), 0.75 / sqrt(24.0), 0.6 * sqrt(11.0 / 120.0),
                        0.2 * sqrt(91.0 / 120.0)};
    for (int i = 0; i < 4; i++) {
        NEAR(km->times[i], t_want[i], 0.0);
        NEAR(km->survival[i], s_want[i], 1e-15);
        NEAR(km->std_err[i], se_want[i], 1e-12);
    }
    double q;
    cr_expect_eq(lp_km_quantile(km, 0.5, &q), LP_OK);
    NEAR(q, 5.0, 0.0);
    cr_expect_eq(lp_km_quantile(km, 0.25, &q), LP_OK);
    NEAR(q, 2.0, 0.0);
    cr_expect_eq(lp_km_quantile(km, 0.9, &q), LP_ERR_MATH);
    cr_expect_eq(lp_km_quantile(km, 0.0, &q), LP_ERR_USAGE);
    lp_km_free(km);
}

Test(stats, kaplan_meier_edges, .init = init)
{
    lp_km *km;
    double q;
    /* Empty. */
    cr_assert_eq(lp_km_new(NULL, NULL, 0, &km), LP_OK);
    cr_expect_eq(km->n, 0);
    cr_expect_eq(lp_km_quantile(km, 0.5, &q), LP_ERR_MATH);
    lp_km_free(km);
    /* All censored: no points, no quantile. */
    double t1[] = {3, 4, 5};
    bool e1[] = {false, false, false};
    cr_assert_eq(lp_km_new(t1, e1, 3, &km), LP_OK);
    cr_expect_eq(km->n, 0);
    cr_expect_eq(lp_km_quantile(km, 0.5, &q), LP_ERR_MATH);
    lp_km_free(km);
    /* One event: S drops to 0, SE reported 0 (not NaN). */
    double t2[] = {2.5};
    bool e2[] = {true};
    cr_assert_eq(lp_km_new(t2, e2, 1, &km), LP_OK);
    cr_assert_eq(km->n, 1);
    NEAR(km->survival[0], 0.0, 0.0);
    NEAR(km->std_err[0], 0.0, 0.0);
    cr_expect_eq(lp_km_quantile(km, 0.9, &q), LP_OK);
    NEAR(q, 2.5, 0.0);
    lp_km_free(km);
    /* Non-finite time. */
    double t3[] = {1, NAN};
    bool e3[] = {true, true};
    cr_expect_eq(lp_km_new(t3, e3, 2, &km), LP_ERR_INPUT);
    /* p90 tolerance: 10 subjects, 9 events at 1..9, one censored at 10:
     * S after 9 = 1/10 = 0.1 computed as a product with rounding; the
     * 0.9-quantile must still be 9 (S <= 0.1 within 1e-12). */
    double t4[10];
    bool e4[10];
    for (int i = 0; i < 10; i++) {
        t4[i] = i + 1;
        e4[i] = i < 9;
    }
    cr_assert_eq(lp_km_new(t4, e4, 10, &km), LP_OK);
    cr_expect_eq(lp_km_quantile(km, 0.9, &q), LP_OK);
    NEAR(q, 9.0, 0.0);
    lp_km_free(km);
}

/* -------------------------------------------------------------------- OLS */

/* y = 10,12,11,15,14,18,17,20,19,22,24,23,26 on x = 0..12.
 * r = scipy.stats.linregress(range(13), y): intercept 9.98901098901099,
 * slope 1.2967032967033; s = sqrt(sum resid^2 / 11) = 1.13960576459638;
 * slope +- scipy.stats.t.ppf(0.975, 11) * r.stderr = 1.11077903833972 ..
 * 1.48262755506688. Prediction at x0: est +- scipy.stats.t.ppf(0.90, 11) *
 * s * sqrt(1 + 1/13 + (x0 - 6)^2 / 182):
 * x0 = 13: 26.8461538461538, 25.0434062190126, 28.6489014732951;
 * x0 = 16: 30.7362637362637, 28.7547469948735, 32.717780477654. */
Test(stats, ols, .init = init)
{
    double y[] = {10, 12, 11, 15, 14, 18, 17, 20, 19, 22, 24, 23, 26};
    lp_ols fit = lp_ols_fit(y, 13);
    cr_assert(fit.defined);
    NEAR(fit.intercept, 9.98901098901099, 1e-9);
    NEAR(fit.slope, 1.2967032967033, 1e-9);
    NEAR(fit.s, 1.13960576459638, 1e-9);
    NEAR_REL(fit.slope_low, 1.11077903833972, 1e-7);
    NEAR_REL(fit.slope_high, 1.48262755506688, 1e-7);
    lp_interval p = lp_ols_predict(&fit, y, 13, 0.80);
    cr_assert(p.defined);
    NEAR(p.estimate, 26.8461538461538, 1e-9);
    NEAR_REL(p.low, 25.0434062190126, 1e-7);
    NEAR_REL(p.high, 28.6489014732951, 1e-7);
    p = lp_ols_predict(&fit, y, 16, 0.80);
    NEAR(p.estimate, 30.7362637362637, 1e-9);
    NEAR_REL(p.low, 28.7547469948735, 1e-7);
    NEAR_REL(p.high, 32.717780477654, 1e-7);
}

Test(stats, ols_edges, .init = init)
{
    double y[] = {1, 2};
    lp_ols fit = lp_ols_fit(y, 2);
    cr_expect_not(fit.defined);
    cr_expect_not(lp_ols_predict(&fit, y, 3, 0.8).defined);
    fit = lp_ols_fit(NULL, 0);
    cr_expect_not(fit.defined);
    /* A perfect line: s = 0, interval of zero width, no NaN. */
    double line[] = {1, 3, 5, 7};
    fit = lp_ols_fit(line, 4);
    cr_assert(fit.defined);
    NEAR(fit.slope, 2.0, 1e-12);
    NEAR(fit.s, 0.0, 1e-12);
    lp_interval p = lp_ols_predict(&fit, line, 4, 0.8);
    NEAR(p.estimate, 9.0, 1e-12);
    NEAR(p.low, 9.0, 1e-9);
    NEAR(p.high, 9.0, 1e-9);
}

/* ------------------------------------------------------------ Beta quantile */

typedef struct beta_case {
    double p, a, b, want, tol;
} beta_case;

/* scipy.stats.beta.ppf(p, a, b). The first ten are the 0.05 and 0.95
 * quantiles of Beta(won + 1, n - won + 1), the routing interval of
 * engine/measures/funnel.c, for (won, n) = (3, 10), (0, 20), (20, 20),
 * (0, 1) and (4e8, 1e9); the last four are 10^9-scale parameters with a
 * small tail (the exact binomial bounds of 5e8 of 1e9 at 95% and of 3 of
 * 1e9 at 99%), where GSL's inversion gives up and the CDF is solved. */
ParameterizedTestParameters(stats, beta_quantile)
{
    static beta_case cases[] = {
        {0.05, 4, 8, 0.135075472919641, 1e-7},
        {0.95, 4, 8, 0.564374188289229, 1e-7},
        {0.05, 1, 21, 0.00243955725966886, 1e-7},
        {0.95, 1, 21, 0.132945911026523, 1e-7},
        {0.05, 21, 1, 0.867054088973477, 1e-7},
        {0.95, 21, 1, 0.997560442740331, 1e-7},
        {0.05, 1, 2, 0.0253205655191036, 1e-7},
        {0.95, 1, 2, 0.776393202250021, 1e-7},
        {0.05, 400000001, 600000001, 0.399974518350753, 1e-6},
        {0.95, 400000001, 600000001, 0.400025482276653, 1e-6},
        {0.025, 500000000, 500000001, 0.499969009748271, 1e-9},
        {0.975, 500000001, 500000000, 0.500030990251729, 1e-9},
        {0.005, 3, 999999998, 3.37863389008521e-10, 1e-6},
        {0.995, 4, 999999997, 1.09774775224083e-08, 1e-6},
    };
    return cr_make_param_array(beta_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(beta_case *c, stats, beta_quantile, .init = init)
{
    double q = lp_beta_quantile(c->p, c->a, c->b);
    cr_expect_not(isnan(q));
    NEAR_REL(q, c->want, c->tol);
}

Test(stats, beta_quantile_edges, .init = init)
{
    /* Beta(1, 1) is uniform: the 0.3-quantile is 0.3 (by hand). */
    NEAR(lp_beta_quantile(0.3, 1, 1), 0.3, 1e-12);
    NEAR(lp_beta_quantile(0.0, 1, 1), 0.0, 0.0);
}

/*
 * stats.h: the statistics leadpack uses to tell a real change from noise.
 * Pure functions on GSL; no global state besides GSL's error handler, which
 * lp_stats_init turns off (call once at start-up). Rates are in 0..1, times
 * in hours unless said otherwise. A result that does not exist (n = 0, a
 * quantile never reached) is reported through a false `defined` flag or a
 * status, never as NaN leaking to callers.
 */
#ifndef LP_STATS_H
#define LP_STATS_H

#include "lp/lp.h"

#define LP_Z95 1.959964

/* Turns GSL's abort-on-error handler off. Idempotent. */
void lp_stats_init(void);

typedef struct lp_interval {
    double estimate;   /* point estimate (x/n for proportions) */
    double low;        /* lower bound */
    double high;       /* upper bound */
    bool defined;      /* false when the input has no estimate (n = 0) */
} lp_interval;

/* Wilson score interval for x successes in n trials at confidence
 * `confidence`, with z the two-sided normal quantile: 0.95 -> LP_Z95 (the
 * templates/DEFINITIONS.md constant, exactly), otherwise gsl_cdf_ugaussian_Pinv(1 - (1 -
 * confidence) / 2). n = 0 gives defined = false. */
lp_interval lp_wilson(uint64_t x, uint64_t n, double confidence);

/* A test's outcome. */
typedef struct lp_test {
    double statistic;  /* z, chi-square, ... (0 when not applicable) */
    double p_value;    /* two-sided unless said otherwise */
    bool defined;      /* false when the test cannot be run (empty groups) */
} lp_test;

/* Two-proportion z-test with pooled variance, x1/n1 against x2/n2. */
lp_test lp_two_proportion_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);
/* Exact conditional test of two Poisson counts (equal exposure): under H0,
 * c1 ~ Binomial(c1 + c2, 0.5); two-sided p-value. */
lp_test lp_poisson_test(uint64_t c1, uint64_t c2);
/* Benjamini-Hochberg adjusted p-values (q-values), written to q (n values),
 * monotone, capped at 1. p and q may alias. */
lp_status lp_benjamini_hochberg(const double *p, size_t n, double *q);

/* Kaplan-Meier with right censoring. times[i] in any unit, event[i] true for
 * an observed event, false for censored at times[i]. A subject censored at t
 * is still at risk at t. */
typedef struct lp_km {
    double *times;     /* distinct event times, ascending (owned) */
    double *survival;  /* S(t) just after each time */
    double *std_err;   /* Greenwood standard error of S(t) */
    size_t n;          /* number of points */
    size_t subjects;   /* subjects in the estimate */
} lp_km;

lp_status lp_km_new(const double *times, const bool *event, size_t n, lp_km **out_km);
void lp_km_free(lp_km *km);
/* The q-quantile: smallest event time t with S(t) <= 1 - q (1e-12
 * tolerance). LP_ERR_MATH when the curve never gets there. */
lp_status lp_km_quantile(const lp_km *km, double q, double *out_time);

/* Ordinary least squares of y on x = 0..n-1, forecast at future x0 with a
 * prediction interval t(1 - (1-level)/2, n-2) * s * sqrt(1 + 1/n + (x0-xbar)^2/Sxx). */
typedef struct lp_ols {
    double intercept, slope;
    double slope_low, slope_high;   /* 95% interval of the slope */
    double s;                        /* residual standard error */
    size_t n;
    bool defined;                    /* false when n < 3 */
} lp_ols;

lp_ols lp_ols_fit(const double *y, size_t n);
/* Forecast at x0 with a `level` prediction interval (0.80 for templates/DEFINITIONS.md). */
lp_interval lp_ols_predict(const lp_ols *fit, const double *y, double x0, double level);

/* Beta(a, b) quantile (0 < p < 1). */
double lp_beta_quantile(double p, double a, double b);

/* ======================================================================
 * Conventions for every declaration above:
 * - a proportion x/n with x > n is a caller error: the interval or test is
 *   returned with defined = false;
 * - an lp_test that is not defined carries statistic 0 and p_value 1, so a
 *   caller that forgets to look at `defined` still reads "no evidence";
 * - counts are uint64_t and are converted to double: exact up to 2^53,
 *   so 10^9-sized inputs neither overflow nor lose precision;
 * - `confidence` and `level` are in (0, 1); anything else gives
 *   defined = false.
 *
 * Edge cases:
 * - lp_wilson: n = 0 or x > n -> defined = false; x = 0 gives low exactly
 *   0, x = n gives high exactly 1.
 * - lp_two_proportion_test: n1 or n2 = 0 -> not defined; a pooled rate of
 *   0 or 1 (nothing varies) -> z = 0, p = 1, defined.
 * - lp_poisson_test: c1 + c2 = 0 -> not defined; statistic = c1; two-sided
 *   as R's binom.test(c1, c1 + c2, 0.5): the sum of the probabilities <=
 *   the observed one times 1 + 1e-7.
 * - lp_benjamini_hochberg: n = 0 is LP_OK (nothing written); a p outside
 *   [0, 1] or NaN is LP_ERR_USAGE (q untouched); LP_ERR_NOMEM possible.
 * - lp_km_new: n = 0 and all-censored inputs give a curve with no points
 *   (every quantile LP_ERR_MATH); a non-finite time is LP_ERR_INPUT. Once
 *   S(t) reaches 0 its std_err is 0. lp_km_quantile: q in (0, 1], else
 *   LP_ERR_USAGE.
 * - lp_ols_fit: n < 3 -> defined = false. lp_ols_predict: an undefined fit
 *   gives defined = false; y is not read (x = 0..n-1 is implied).
 * - lp_beta_quantile: 0 for p outside (0, 1) or a, b <= 0; when GSL's
 *   inversion does not converge (huge a, b) the CDF is bisected instead.
 * ====================================================================== */

#endif

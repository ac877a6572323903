/*
 * stats.h: the statistics leadpack uses to tell a real change from noise.
 * Pure functions on GSL; no global state besides GSL's error handler, which
 * lp_stats_init turns off (call once at start-up). Rates are in 0..1, times
 * in hours unless said otherwise. A result that does not exist (n = 0, a
 * quantile never reached) is reported through a false `defined` flag or a
 * status, never as NaN leaking to callers.
 *
 * (The statistics part extends this header; the declarations below are the
 * ones the measures rely on.)
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
 * `confidence` (0.95 -> z = 1.959964). n = 0 gives defined = false. */
lp_interval lp_wilson(uint64_t x, uint64_t n, double confidence);
/* Clopper-Pearson exact interval. */
lp_interval lp_clopper_pearson(uint64_t x, uint64_t n, double confidence);

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
/* Forecast at x0 with a `level` prediction interval (0.80 for METRICS.md). */
lp_interval lp_ols_predict(const lp_ols *fit, const double *y, double x0, double level);

/* Beta(a, b) quantile (0 < p < 1). */
double lp_beta_quantile(double p, double a, double b);

/* Ordinary sample median of n values (sorts a copy); LP_ERR_MATH for n = 0. */
lp_status lp_median(const double *values, size_t stride, size_t n, double *out_median);

/* ======================================================================
 * Additions of the statistics part. Conventions for everything below:
 * - a proportion x/n with x > n is a caller error: the interval or test is
 *   returned with defined = false;
 * - an lp_test that is not defined carries statistic 0 and p_value 1, so a
 *   caller that forgets to look at `defined` still reads "no evidence";
 * - counts are uint64_t and are converted to double: exact up to 2^53,
 *   so 10^9-sized inputs neither overflow nor lose precision;
 * - `confidence` is in (0, 1); anything else gives defined = false.
 *
 * Edge cases of the declarations above:
 * - lp_wilson, lp_clopper_pearson: n = 0 or x > n -> defined = false;
 *   x = 0 gives low exactly 0, x = n gives high exactly 1.
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
 * - lp_median: as lp_quantile with q = 0.5 (NaN value -> LP_ERR_INPUT).
 * ====================================================================== */

/* Two-sided normal quantile for a confidence level: 0.95 -> 1.959964 (the
 * METRICS.md constant, exactly), otherwise gsl_cdf_ugaussian_Pinv. */
double lp_z_for_confidence(double confidence);

/* Fisher's exact test of the 2x2 table [[a, b], [c, d]], two-sided as in
 * R's fisher.test: the sum of the hypergeometric probabilities (margins
 * fixed) that are <= the observed table's probability times 1 + 1e-7.
 * statistic = 0. defined = false only when the table is empty. A table with
 * a zero margin has p_value 1. Works for totals up to 2^53 (log-space
 * probabilities with Loader's saddle-point terms; tails summed outward
 * until terms are below 1e-17 of the sum). */
lp_test lp_fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Compares x1/n1 with x2/n2: Fisher's exact test on [[x1, n1-x1],
 * [x2, n2-x2]] when any expected count of that table is below 5, otherwise
 * the pooled two-proportion z-test. *out_exact (may be NULL) tells which
 * ran. defined = false when n1 or n2 is 0. */
lp_test lp_proportions_compare(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                               bool *out_exact);

/* Newcombe's hybrid score interval (his method 10, from two Wilson
 * intervals at `confidence`) for p1 - p2 = x1/n1 - x2/n2. estimate is the
 * difference; defined = false when n1 or n2 is 0. */
lp_interval lp_newcombe_diff(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                             double confidence);

/* Pearson chi-square test of independence for a k x 2 table whose row i is
 * (successes[i], trials[i] - successes[i]); no continuity correction (as
 * scipy.stats.chi2_contingency(..., correction=False)). Rows with
 * trials[i] = 0 are left out; df = (rows left) - 1. defined = false when
 * fewer than two rows are left, a column total is 0 or successes > trials. */
lp_test lp_chisq_independence(const uint64_t *successes, const uint64_t *trials,
                              size_t k);

/* Survival S(t) of a Kaplan-Meier curve at time t (right-continuous step:
 * the value after the last event time <= t; 1 before the first event). */
double lp_km_survival_at(const lp_km *km, double t);
/* Share that had the event by time t (inclusive): 1 - S(t). */
double lp_km_share_by(const lp_km *km, double t);
/* Plotting points of the cumulative share 1 - S(t): km->n + 1 points into
 * out_times / out_share (caller sized): first (min(0, first time), 0), then
 * (times[i], 1 - survival[i]) for each event time. */
void lp_km_curve(const lp_km *km, double *out_times, double *out_share);

/* Holt-Winters additive seasonal model (level, trend, season of period m).
 * Start (states at time m - 1): trend = (mean of the second season - mean
 * of the first) / m, level = mean of the first season + trend (m - 1) / 2,
 * seasonal index i = y[i] - (mean of the first season + trend (i - (m-1)/2)),
 * so linear-plus-fixed-pattern data are fitted exactly.
 * Smoothing parameters alpha, beta, gamma are fitted by grid search over
 * {0.1, 0.2, ..., 0.9}^3, minimising the sum of squared one-step-ahead
 * errors over t = m..n-1 (first grid point wins ties). s = sqrt(SSE /
 * (n - m)). */
#define LP_HW_MAX_SEASON 64
typedef struct lp_hw {
    double alpha, beta, gamma;          /* fitted smoothing parameters */
    double level, trend;                /* states after the last value */
    double season[LP_HW_MAX_SEASON];    /* seasonal states, season[(n + h - 1) % m]
                                           is used for h steps ahead */
    size_t m;                           /* season length */
    size_t n;                           /* observations fitted */
    double s;                           /* one-step residual standard error */
    bool defined;                       /* false unless 2 <= m <= 64 and n >= 2m */
} lp_hw;

lp_hw lp_hw_fit(const double *y, size_t n, size_t m);
/* Forecast h >= 1 steps after the last value, with a `level` interval
 * forecast +- z((1+level)/2) * s * sqrt(1 + sum_{j=1}^{h-1} c_j^2),
 * c_j = alpha (1 + j beta) + gamma [j mod m = 0] (Hyndman et al. 2008,
 * additive class 1). */
lp_interval lp_hw_forecast(const lp_hw *fit, size_t h, double level);

/* Forecast of the value at x0 (x = 0..n-1 are the observations): Holt-Winters
 * when m >= 2 and n >= 2m (seasonal), otherwise OLS (lp_ols_fit /
 * lp_ols_predict). *out_seasonal (may be NULL) tells which. */
lp_interval lp_forecast(const double *y, size_t n, size_t m, double x0, double level,
                        bool *out_seasonal);

/* Bayesian interval of a rate under a uniform Beta(1, 1) prior: the
 * low_q and high_q quantiles of Beta(won + 1, n - won + 1) (METRICS.md
 * routing: 0.05 and 0.95). estimate = won / n. defined = false for n = 0
 * or won > n. */
lp_interval lp_beta_interval(uint64_t won, uint64_t n, double low_q, double high_q);

/* P(rate A > rate B) for independent Beta(wonA+1, nA-wonA+1) and
 * Beta(wonB+1, nB-wonB+1) posteriors: the integral of f_A(p) F_B(p) over
 * p, by GSL adaptive Gauss-Kronrod quadrature (qag, 61 points, relative
 * error 1e-10) over mean_A +- 40 sd_A clipped to [0, 1], divided by the
 * integral of f_A over the same range (so the truncation and the rounding
 * of f_A cancel). When either posterior has a + b > 1e7 (counts near 10^7
 * and beyond, where the Beta CDF is costly), logit(A) - logit(B) is taken
 * as normal with its exact mean and variance (digamma, trigamma): an
 * approximation whose error shrinks as 1/sqrt(smallest parameter).
 * LP_ERR_USAGE when won > n; LP_ERR_MATH when quadrature
 * fails. */
lp_status lp_prob_greater(uint64_t wonA, uint64_t nA, uint64_t wonB, uint64_t nB,
                          double *out_prob);

/* Ordinary sample q-quantile (0 <= q <= 1) of n values by linear
 * interpolation between order statistics (R type 7, numpy default:
 * x[(n-1)q]); q = 0.5 is the median. LP_ERR_MATH for n = 0, LP_ERR_INPUT
 * for a NaN value, LP_ERR_USAGE for q out of range. */
lp_status lp_quantile(const double *values, size_t stride, size_t n, double q,
                      double *out_quantile);
/* Arithmetic mean of n values. LP_ERR_MATH for n = 0. */
lp_status lp_mean(const double *values, size_t stride, size_t n, double *out_mean);

#endif

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

#endif

/*
 * stats.c: intervals, tests, survival and trend on GSL (contracts in
 * lp/stats.h).
 *
 * GSL's error handler is off (lp_stats_init), so every GSL call that can
 * fail is checked: a non-finite result from a GSL function is treated as a
 * failure and either handled by a fallback (beta quantile bisection) or
 * reported as undefined. Counts are taken as doubles, exact to 2^53.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

#include "lp/stats.h"

static const lp_interval no_interval = {0.0, 0.0, 0.0, false};
static const lp_test no_test = {0.0, 1.0, false};

void lp_stats_init(void)
{
    gsl_set_error_handler_off();
}

static bool confidence_ok(double confidence)
{
    return confidence > 0.0 && confidence < 1.0;
}

/* Two-sided normal quantile for a confidence level: 0.95 gives LP_Z95, the
 * templates/DEFINITIONS.md constant, exactly rather than GSL's 1.95996398... */
static double z_for_confidence(double confidence)
{
    if (fabs(confidence - 0.95) < 1e-12) return LP_Z95;
    return gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - confidence) / 2.0);
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

/* ---------------------------------------------------------------- intervals */

/* Wilson score interval; the bounds are pinned to exactly 0 at x = 0 and 1
 * at x = n, where the formula gives them only up to rounding. */
lp_interval lp_wilson(uint64_t x, uint64_t n, double confidence)
{
    if (n == 0 || x > n || !confidence_ok(confidence)) return no_interval;
    double z = z_for_confidence(confidence);
    double nd = (double)n, p = (double)x / nd, z2 = z * z;
    double denom = 1.0 + z2 / nd;
    double center = (p + z2 / (2.0 * nd)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nd + z2 / (4.0 * nd * nd));
    lp_interval r = {p, clamp01(center - half), clamp01(center + half), true};
    if (x == 0) r.low = 0.0;
    if (x == n) r.high = 1.0;
    return r;
}

/* ------------------------------------------------------------------- tests */

lp_test lp_two_proportion_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
    if (n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2) return no_test;
    double nd1 = (double)n1, nd2 = (double)n2;
    double p1 = (double)x1 / nd1, p2 = (double)x2 / nd2;
    double pooled = ((double)x1 + (double)x2) / (nd1 + nd2);
    double se = sqrt(pooled * (1.0 - pooled) * (1.0 / nd1 + 1.0 / nd2));
    /* Both groups all-success or all-failure: identical, nothing to test. */
    if (!(se > 0.0)) return (lp_test){0.0, 1.0, true};
    double z = (p1 - p2) / se;
    double p = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
    return (lp_test){z, p > 1.0 ? 1.0 : p, true};
}

/* Loader's (2000) saddle-point pieces, as R's dbinom uses them: the error
 * of Stirling's formula, and the deviance term x log(x/np) + np - x
 * computed without cancellation. Together they give log binomial
 * probabilities accurate to a few ulps even for n near 2^53, where
 * differences of lgamma values would lose 6 digits. */
static double stirlerr(double n)
{
    const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                 s4 = 1.0 / 1188;
    if (n <= 15.0)
        return lgamma(n + 1.0) - (n + 0.5) * log(n) + n - 0.5 * log(2.0 * M_PI);
    double nn = n * n;
    if (n > 500) return (s0 - s1 / nn) / n;
    if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np), s = (x - np) * v, ej = 2.0 * x * v, v2 = v * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v2;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s) return s1;
            s = s1;
        }
    }
    return x * log(x / np) + np - x;
}

/* log P(X = x) for X ~ Binomial(n, p), q = 1 - p given separately. */
static double log_dbinom(double x, double n, double p, double q)
{
    if (x < 0.0 || x > n) return -INFINITY;
    if (p == 0.0) return x == 0.0 ? 0.0 : -INFINITY;
    if (q == 0.0) return x == n ? 0.0 : -INFINITY;
    if (x == 0.0) return n == 0.0 ? 0.0 : (p < 0.1 ? -bd0(n, n * q) - n * p : n * log(q));
    if (x == n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * log(p);
    double lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    double lf = log(2.0 * M_PI) + log(x) + log1p(-x / n);
    return lc - 0.5 * lf;
}

/* A discrete unimodal distribution on the integers lo..hi with its mode. */
typedef struct discrete {
    double (*logpmf)(const struct discrete *d, double x);
    double lo, hi, mode;
    double a, b, c;     /* parameters */
} discrete;

static double binom_logpmf(const discrete *d, double x)
{
    return log_dbinom(x, d->a, d->b, d->c);
}

/* Sums the probabilities from x outward (step -1 or +1) until the bound or
 * until terms fall below 1e-17 of the sum: on the tails of a unimodal
 * distribution the terms only decrease outward. */
static double tail_sum(const discrete *d, double from, double bound, double step)
{
    double sum = 0.0;
    for (double x = from; step < 0 ? x >= bound : x <= bound; x += step) {
        double term = exp(d->logpmf(d, x));
        sum += term;
        if (term <= sum * 1e-17) break;
    }
    return sum;
}

/* Two-sided exact p-value, R's rule: the sum of every probability <= the
 * observed one times 1 + 1e-7. The qualifying values form the two tails
 * lo..L and R..hi; L and R are found by bisection on the monotone sides. */
static double two_sided_exact(const discrete *d, double x)
{
    if (d->lo >= d->hi) return 1.0;
    double ltol = d->logpmf(d, x) + log1p(1e-7);
    if (d->logpmf(d, d->mode) <= ltol) return 1.0;
    double p = 0.0;
    /* Left: largest L in [lo, mode) with logpmf(L) <= ltol. */
    if (d->logpmf(d, d->lo) <= ltol) {
        double good = d->lo, bad = d->mode;
        while (bad - good > 1.0) {
            double mid = floor((good + bad) / 2.0);
            if (d->logpmf(d, mid) <= ltol) good = mid; else bad = mid;
        }
        p += tail_sum(d, good, d->lo, -1.0);
    }
    /* Right: smallest R in (mode, hi] with logpmf(R) <= ltol. */
    if (d->logpmf(d, d->hi) <= ltol) {
        double bad = d->mode, good = d->hi;
        while (good - bad > 1.0) {
            double mid = floor((good + bad) / 2.0);
            if (d->logpmf(d, mid) <= ltol) good = mid; else bad = mid;
        }
        p += tail_sum(d, good, d->hi, 1.0);
    }
    return p > 1.0 ? 1.0 : p;
}

lp_test lp_poisson_test(uint64_t c1, uint64_t c2)
{
    double n = (double)c1 + (double)c2;
    if (n == 0.0) return no_test;
    discrete dist = {binom_logpmf, 0.0, n, floor((n + 1.0) / 2.0), n, 0.5, 0.5};
    if (dist.mode > n) dist.mode = n;
    return (lp_test){(double)c1, two_sided_exact(&dist, (double)c1), true};
}

/* ----------------------------------------------------- Beta for large a, b */

/* GSL's incomplete beta and its inversion are fine up to a + b of about
 * 1e7; beyond, gsl_cdf_beta_Pinv returns NaN and gsl_cdf_beta_P can run
 * for minutes on some inputs. There, with integer parameters (every caller
 * here passes counts + 1), I_x(a, b) = P(K >= a) for K ~ Binomial(a + b - 1,
 * x), summed over the smaller tail with Loader's accurate terms; non-integer
 * large parameters are rounded (relative effect below 1e-7). */
#define LARGE_BETA 1e7

static double beta_cdf(double x, double a, double b)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    if (a + b <= LARGE_BETA) return gsl_cdf_beta_P(x, a, b);
    a = round(a);
    b = round(b);
    double n = a + b - 1.0;
    discrete dist = {binom_logpmf, 0.0, n, 0.0, n, x, 1.0 - x};
    if (a - 1.0 < n * x)   /* P(K <= a - 1) is the small tail */
        return 1.0 - tail_sum(&dist, a - 1.0, 0.0, -1.0);
    return tail_sum(&dist, a, n, 1.0);
}

/* Solves beta_cdf(x) = p by the Illinois variant of regula falsi, from a
 * bracket of mean +- 12 sd (widened to [0, 1] when it does not bracket). */
static double beta_quantile_solve(double p, double a, double b)
{
    double mean = a / (a + b), sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0)));
    double lo = mean - 12.0 * sd, hi = mean + 12.0 * sd;
    if (lo < 0.0) lo = 0.0;
    if (hi > 1.0) hi = 1.0;
    double flo = beta_cdf(lo, a, b) - p, fhi = beta_cdf(hi, a, b) - p;
    if (flo > 0.0) { lo = 0.0; flo = -p; }
    if (fhi < 0.0) { hi = 1.0; fhi = 1.0 - p; }
    int side = 0;
    for (int i = 0; i < 200; i++) {
        double x = (lo * fhi - hi * flo) / (fhi - flo);
        if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
        double fx = beta_cdf(x, a, b) - p;
        if (fx == 0.0) return x;
        if (fx < 0.0) {
            lo = x; flo = fx;
            if (side == -1) fhi /= 2.0;
            side = -1;
        } else {
            hi = x; fhi = fx;
            if (side == 1) flo /= 2.0;
            side = 1;
        }
        if (hi - lo <= 4e-16 * hi) break;
    }
    return 0.5 * (lo + hi);
}

double lp_beta_quantile(double p, double a, double b)
{
    if (!(p > 0.0 && p < 1.0) || !(a > 0.0) || !(b > 0.0)) return 0.0;
    if (a + b <= LARGE_BETA) {
        double q = gsl_cdf_beta_Pinv(p, a, b);
        /* Accept GSL's answer only when its CDF agrees. */
        if (isfinite(q) && q >= 0.0 && q <= 1.0) {
            double back = gsl_cdf_beta_P(q, a, b);
            if (isfinite(back) && fabs(back - p) <= 1e-9 * (p < 0.5 ? p : 1.0 - p))
                return q;
        }
    }
    return beta_quantile_solve(p, a, b);
}

/* Sort helper for Benjamini-Hochberg: indices by p ascending. */
typedef struct indexed_p {
    double p;
    size_t index;
} indexed_p;

static int cmp_indexed_p(const void *a, const void *b)
{
    const indexed_p *x = a, *y = b;
    if (x->p < y->p) return -1;
    if (x->p > y->p) return 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* q_(i) = min over j >= i of p_(j) n / j, capped at 1 (R's p.adjust "BH"). */
lp_status lp_benjamini_hochberg(const double *p, size_t n, double *q)
{
    if (n == 0) return LP_OK;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) return LP_ERR_USAGE;
    indexed_p *order = lp_malloc(n * sizeof *order);
    if (!order) return LP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) order[i] = (indexed_p){p[i], i};
    qsort(order, n, sizeof *order, cmp_indexed_p);
    double running = 1.0;
    for (size_t r = n; r-- > 0;) {
        double adj = order[r].p * (double)n / (double)(r + 1);
        if (adj < running) running = adj;
        q[order[r].index] = running;
    }
    lp_free(order);
    return LP_OK;
}

/* ----------------------------------------------------------- Kaplan-Meier */

typedef struct km_obs {
    double time;
    bool event;
} km_obs;

static int cmp_km_obs(const void *a, const void *b)
{
    const km_obs *x = a, *y = b;
    return (x->time > y->time) - (x->time < y->time);
}

void lp_km_free(lp_km *km)
{
    if (!km) return;
    lp_free(km->times);
    lp_free(km->survival);
    lp_free(km->std_err);
    lp_free(km);
}

/* Product-limit estimate. At each distinct time t, at_risk counts every
 * subject with time >= t (so one censored at t is still at risk at t), d
 * the events at t. Greenwood: Var S(t) = S(t)^2 sum d / (r (r - d)); once
 * S reaches 0 (r = d) the sum is infinite and the SE is reported as 0, as
 * survival packages do. */
lp_status lp_km_new(const double *times, const bool *event, size_t n, lp_km **out_km)
{
    lp_status st = LP_OK;
    km_obs *obs = NULL;
    lp_km *km = lp_calloc(1, sizeof *km);
    if (!km) return LP_ERR_NOMEM;
    km->subjects = n;
    size_t alloc = n ? n : 1;
    km->times = lp_malloc(alloc * sizeof(double));
    km->survival = lp_malloc(alloc * sizeof(double));
    km->std_err = lp_malloc(alloc * sizeof(double));
    obs = lp_malloc(alloc * sizeof *obs);
    if (!km->times || !km->survival || !km->std_err || !obs) { st = LP_ERR_NOMEM; goto cleanup; }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(times[i])) { st = LP_ERR_INPUT; goto cleanup; }
        obs[i] = (km_obs){times[i], event[i]};
    }
    qsort(obs, n, sizeof *obs, cmp_km_obs);
    double surv = 1.0, greenwood = 0.0;
    size_t i = 0;
    while (i < n) {
        double t = obs[i].time;
        double at_risk = (double)(n - i), deaths = 0.0;
        size_t j = i;
        for (; j < n && obs[j].time == t; j++)
            if (obs[j].event) deaths += 1.0;
        if (deaths > 0.0) {
            surv *= 1.0 - deaths / at_risk;
            if (deaths < at_risk) greenwood += deaths / (at_risk * (at_risk - deaths));
            km->times[km->n] = t;
            km->survival[km->n] = surv;
            km->std_err[km->n] = surv > 0.0 ? surv * sqrt(greenwood) : 0.0;
            km->n++;
        }
        i = j;
    }
cleanup:
    lp_free(obs);
    if (st != LP_OK) {
        lp_km_free(km);
        return st;
    }
    *out_km = km;
    return LP_OK;
}

lp_status lp_km_quantile(const lp_km *km, double q, double *out_time)
{
    if (!(q > 0.0 && q <= 1.0)) return LP_ERR_USAGE;
    for (size_t i = 0; i < km->n; i++)
        if (km->survival[i] <= 1.0 - q + 1e-12) {
            *out_time = km->times[i];
            return LP_OK;
        }
    return LP_ERR_MATH;
}

/* ------------------------------------------------------------------ trend */

lp_ols lp_ols_fit(const double *y, size_t n)
{
    lp_ols fit;
    memset(&fit, 0, sizeof fit);
    fit.n = n;
    if (n < 3) return fit;
    double *x = lp_malloc(n * sizeof(double));
    if (!x) return fit;
    for (size_t i = 0; i < n; i++) x[i] = (double)i;
    double c0, c1, cov00, cov01, cov11, sumsq;
    int rc = gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    lp_free(x);
    if (rc != GSL_SUCCESS || !isfinite(c0) || !isfinite(c1) || !isfinite(sumsq)) return fit;
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
    fit.intercept = c0;
    fit.slope = c1;
    fit.s = sqrt(sumsq / (double)(n - 2));
    fit.slope_low = c1 - t * sqrt(cov11);
    fit.slope_high = c1 + t * sqrt(cov11);
    fit.defined = isfinite(t) && isfinite(cov11);
    return fit;
}

/* x = 0..n-1, so xbar = (n - 1) / 2 and Sxx = n (n^2 - 1) / 12; the series
 * itself is not needed again (y is accepted for the declared contract). */
lp_interval lp_ols_predict(const lp_ols *fit, const double *y, double x0, double level)
{
    (void)y;
    if (!fit->defined || !confidence_ok(level)) return no_interval;
    double n = (double)fit->n, xbar = (n - 1.0) / 2.0, sxx = n * (n * n - 1.0) / 12.0;
    double t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, n - 2.0);
    if (!isfinite(t)) return no_interval;
    double est = fit->intercept + fit->slope * x0;
    double half = t * fit->s * sqrt(1.0 + 1.0 / n + (x0 - xbar) * (x0 - xbar) / sxx);
    return (lp_interval){est, est - half, est + half, true};
}

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
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

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

double lp_z_for_confidence(double confidence)
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
    double z = lp_z_for_confidence(confidence);
    double nd = (double)n, p = (double)x / nd, z2 = z * z;
    double denom = 1.0 + z2 / nd;
    double center = (p + z2 / (2.0 * nd)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nd + z2 / (4.0 * nd * nd));
    lp_interval r = {p, clamp01(center - half), clamp01(center + half), true};
    if (x == 0) r.low = 0.0;
    if (x == n) r.high = 1.0;
    return r;
}

static double beta_cdf(double x, double a, double b);

lp_interval lp_clopper_pearson(uint64_t x, uint64_t n, double confidence)
{
    if (n == 0 || x > n || !confidence_ok(confidence)) return no_interval;
    double alpha = 1.0 - confidence, xd = (double)x, nd = (double)n;
    lp_interval r = {xd / nd, 0.0, 1.0, true};
    if (x > 0) r.low = lp_beta_quantile(alpha / 2.0, xd, nd - xd + 1.0);
    if (x < n) r.high = lp_beta_quantile(1.0 - alpha / 2.0, xd + 1.0, nd - xd);
    return r;
}

lp_interval lp_newcombe_diff(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                             double confidence)
{
    lp_interval w1 = lp_wilson(x1, n1, confidence);
    lp_interval w2 = lp_wilson(x2, n2, confidence);
    if (!w1.defined || !w2.defined) return no_interval;
    double d = w1.estimate - w2.estimate;
    double dl1 = w1.estimate - w1.low, du1 = w1.high - w1.estimate;
    double dl2 = w2.estimate - w2.low, du2 = w2.high - w2.estimate;
    lp_interval r = {d, d - sqrt(dl1 * dl1 + du2 * du2), d + sqrt(du1 * du1 + dl2 * dl2), true};
    if (r.low < -1.0) r.low = -1.0;
    if (r.high > 1.0) r.high = 1.0;
    return r;
}

lp_interval lp_beta_interval(uint64_t won, uint64_t n, double low_q, double high_q)
{
    if (n == 0 || won > n || !(low_q > 0.0 && low_q < 1.0) || !(high_q > 0.0 && high_q < 1.0))
        return no_interval;
    double a = (double)won + 1.0, b = (double)(n - won) + 1.0;
    lp_interval r = {(double)won / (double)n, lp_beta_quantile(low_q, a, b),
                     lp_beta_quantile(high_q, a, b), true};
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

/* Hypergeometric: x white balls in a draw of c from a white and b black,
 * as R's dhyper: dbinom(x; a, p) dbinom(c - x; b, p) / dbinom(c; a + b, p)
 * with p = c / (a + b). */
static double hyper_logpmf(const discrete *d, double x)
{
    double total = d->a + d->b, p = d->c / total, q = (total - d->c) / total;
    return log_dbinom(x, d->a, p, q) + log_dbinom(d->c - x, d->b, p, q) -
           log_dbinom(d->c, total, p, q);
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

lp_test lp_fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    double row1 = (double)a + (double)b, row2 = (double)c + (double)d;
    double col1 = (double)a + (double)c;
    if (row1 + row2 == 0.0) return no_test;
    discrete dist = {hyper_logpmf, 0, 0, 0, row1, row2, col1};
    dist.lo = col1 - row2 > 0.0 ? col1 - row2 : 0.0;
    dist.hi = col1 < row1 ? col1 : row1;
    dist.mode = floor((col1 + 1.0) * (row1 + 1.0) / (row1 + row2 + 2.0));
    if (dist.mode < dist.lo) dist.mode = dist.lo;
    if (dist.mode > dist.hi) dist.mode = dist.hi;
    return (lp_test){0.0, two_sided_exact(&dist, (double)a), true};
}

lp_test lp_proportions_compare(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                               bool *out_exact)
{
    if (out_exact) *out_exact = false;
    if (n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2) return no_test;
    double nd1 = (double)n1, nd2 = (double)n2, total = nd1 + nd2;
    double succ = (double)x1 + (double)x2, fail = total - succ;
    double min_margin = succ < fail ? succ : fail, min_row = nd1 < nd2 ? nd1 : nd2;
    /* The smallest expected count is the smallest row times the smallest
     * column over the total. */
    if (min_row * min_margin / total < 5.0) {
        if (out_exact) *out_exact = true;
        return lp_fisher_exact(x1, n1 - x1, x2, n2 - x2);
    }
    return lp_two_proportion_test(x1, n1, x2, n2);
}

lp_test lp_poisson_test(uint64_t c1, uint64_t c2)
{
    double n = (double)c1 + (double)c2;
    if (n == 0.0) return no_test;
    discrete dist = {binom_logpmf, 0.0, n, floor((n + 1.0) / 2.0), n, 0.5, 0.5};
    if (dist.mode > n) dist.mode = n;
    return (lp_test){(double)c1, two_sided_exact(&dist, (double)c1), true};
}

lp_test lp_chisq_independence(const uint64_t *successes, const uint64_t *trials, size_t k)
{
    double col_s = 0.0, col_f = 0.0, total = 0.0;
    size_t rows = 0;
    for (size_t i = 0; i < k; i++) {
        if (successes[i] > trials[i]) return no_test;
        if (trials[i] == 0) continue;
        rows++;
        col_s += (double)successes[i];
        col_f += (double)(trials[i] - successes[i]);
    }
    total = col_s + col_f;
    if (rows < 2 || col_s == 0.0 || col_f == 0.0) return no_test;
    double stat = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (trials[i] == 0) continue;
        double n = (double)trials[i];
        double es = n * col_s / total, ef = n * col_f / total;
        double os = (double)successes[i], of = n - os;
        stat += (os - es) * (os - es) / es + (of - ef) * (of - ef) / ef;
    }
    double p = gsl_cdf_chisq_Q(stat, (double)(rows - 1));
    if (!isfinite(p)) return no_test;
    return (lp_test){stat, p, true};
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

double lp_km_survival_at(const lp_km *km, double t)
{
    double s = 1.0;
    /* Binary search for the last event time <= t. */
    size_t lo = 0, hi = km->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (km->times[mid] <= t) lo = mid + 1; else hi = mid;
    }
    if (lo > 0) s = km->survival[lo - 1];
    return s;
}

double lp_km_share_by(const lp_km *km, double t)
{
    return 1.0 - lp_km_survival_at(km, t);
}

void lp_km_curve(const lp_km *km, double *out_times, double *out_share)
{
    out_times[0] = km->n && km->times[0] < 0.0 ? km->times[0] : 0.0;
    out_share[0] = 0.0;
    for (size_t i = 0; i < km->n; i++) {
        out_times[i + 1] = km->times[i];
        out_share[i + 1] = 1.0 - km->survival[i];
    }
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

/* Runs additive Holt-Winters with fixed parameters; returns the SSE of the
 * one-step-ahead errors over t = m..n-1 and leaves the final states in *hw. */
static double hw_run(const double *y, size_t n, size_t m, double alpha, double beta,
                     double gamma, lp_hw *hw)
{
    double mean1 = 0.0, mean2 = 0.0;
    for (size_t i = 0; i < m; i++) {
        mean1 += y[i];
        mean2 += y[m + i];
    }
    mean1 /= (double)m;
    mean2 /= (double)m;
    /* mean1 is the level at the middle of the first season, (m - 1) / 2;
     * the trend carries it to time m - 1, and the seasonal indices are the
     * first season's deviations from that trend line, so a series that is
     * exactly linear plus a fixed seasonal pattern is fitted exactly. */
    double trend = (mean2 - mean1) / (double)m;
    double level = mean1 + trend * (double)(m - 1) / 2.0;
    double season[LP_HW_MAX_SEASON];
    for (size_t i = 0; i < m; i++)
        season[i] = y[i] - (mean1 + trend * ((double)i - (double)(m - 1) / 2.0));
    /* The initial states describe time m - 1; update from t = m on. */
    double sse = 0.0;
    for (size_t t = m; t < n; t++) {
        double s_old = season[t % m];
        double forecast = level + trend + s_old;
        double err = y[t] - forecast;
        sse += err * err;
        double new_level = alpha * (y[t] - s_old) + (1.0 - alpha) * (level + trend);
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        season[t % m] = gamma * (y[t] - new_level) + (1.0 - gamma) * s_old;
        level = new_level;
    }
    hw->alpha = alpha;
    hw->beta = beta;
    hw->gamma = gamma;
    hw->level = level;
    hw->trend = trend;
    memcpy(hw->season, season, m * sizeof(double));
    return sse;
}

lp_hw lp_hw_fit(const double *y, size_t n, size_t m)
{
    lp_hw best;
    memset(&best, 0, sizeof best);
    best.m = m;
    best.n = n;
    if (m < 2 || m > LP_HW_MAX_SEASON || n < 2 * m) return best;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i])) return best;
    double best_sse = INFINITY;
    for (int a = 1; a <= 9; a++)
        for (int b = 1; b <= 9; b++)
            for (int g = 1; g <= 9; g++) {
                lp_hw trial = best;
                double sse = hw_run(y, n, m, a / 10.0, b / 10.0, g / 10.0, &trial);
                if (sse < best_sse) {
                    best_sse = sse;
                    best = trial;
                }
            }
    best.s = sqrt(best_sse / (double)(n - m));
    best.defined = isfinite(best.s);
    return best;
}

lp_interval lp_hw_forecast(const lp_hw *fit, size_t h, double level)
{
    if (!fit->defined || h == 0 || !confidence_ok(level)) return no_interval;
    double est = fit->level + (double)h * fit->trend + fit->season[(fit->n + h - 1) % fit->m];
    double var = 1.0;
    for (size_t j = 1; j < h; j++) {
        double c = fit->alpha * (1.0 + (double)j * fit->beta) + (j % fit->m == 0 ? fit->gamma : 0.0);
        var += c * c;
    }
    double half = lp_z_for_confidence(level) * fit->s * sqrt(var);
    return (lp_interval){est, est - half, est + half, true};
}

lp_interval lp_forecast(const double *y, size_t n, size_t m, double x0, double level,
                        bool *out_seasonal)
{
    if (out_seasonal) *out_seasonal = false;
    if (m >= 2 && m <= LP_HW_MAX_SEASON && n >= 2 * m) {
        if (x0 < (double)n) return no_interval;
        lp_hw hw = lp_hw_fit(y, n, m);
        if (hw.defined) {
            if (out_seasonal) *out_seasonal = true;
            size_t h = (size_t)(x0 - (double)n) + 1;
            return lp_hw_forecast(&hw, h, level);
        }
    }
    lp_ols fit = lp_ols_fit(y, n);
    return lp_ols_predict(&fit, y, x0, level);
}

/* ---------------------------------------------------------------- Bayesian */

typedef struct beta_pair {
    double a1, b1, a2, b2;
} beta_pair;

static double integrand_greater(double p, void *params)
{
    const beta_pair *bp = params;
    return gsl_ran_beta_pdf(p, bp->a1, bp->b1) * beta_cdf(p, bp->a2, bp->b2);
}

static double integrand_density(double p, void *params)
{
    const beta_pair *bp = params;
    return gsl_ran_beta_pdf(p, bp->a1, bp->b1);
}

lp_status lp_prob_greater(uint64_t wonA, uint64_t nA, uint64_t wonB, uint64_t nB,
                          double *out_prob)
{
    if (wonA > nA || wonB > nB) return LP_ERR_USAGE;
    beta_pair bp = {(double)wonA + 1.0, (double)(nA - wonA) + 1.0,
                    (double)wonB + 1.0, (double)(nB - wonB) + 1.0};
    if (bp.a1 + bp.b1 > LARGE_BETA || bp.a2 + bp.b2 > LARGE_BETA) {
        /* Quadrature would need the slow large-parameter CDF at hundreds of
         * points: use logit(A) - logit(B) as normal with its exact mean
         * psi(a1) - psi(b1) - psi(a2) + psi(b2) and variance (sum of
         * trigammas). */
        double mean = gsl_sf_psi(bp.a1) - gsl_sf_psi(bp.b1) - gsl_sf_psi(bp.a2) + gsl_sf_psi(bp.b2);
        double var = gsl_sf_psi_1(bp.a1) + gsl_sf_psi_1(bp.b1) + gsl_sf_psi_1(bp.a2) +
                     gsl_sf_psi_1(bp.b2);
        if (!isfinite(mean) || !(var > 0.0)) return LP_ERR_MATH;
        *out_prob = clamp01(gsl_cdf_ugaussian_P(mean / sqrt(var)));
        return LP_OK;
    }
    double s = bp.a1 + bp.b1;
    double mean = bp.a1 / s, sd = sqrt(bp.a1 * bp.b1 / (s * s * (s + 1.0)));
    double lo = mean - 40.0 * sd, hi = mean + 40.0 * sd;
    if (lo < 0.0) lo = 0.0;
    if (hi > 1.0) hi = 1.0;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    if (!ws) return LP_ERR_NOMEM;
    gsl_function f_num = {integrand_greater, &bp}, f_den = {integrand_density, &bp};
    double num, den, err;
    int rc1 = gsl_integration_qag(&f_num, lo, hi, 0.0, 1e-10, 1000, GSL_INTEG_GAUSS61,
                                  ws, &num, &err);
    int rc2 = gsl_integration_qag(&f_den, lo, hi, 0.0, 1e-10, 1000, GSL_INTEG_GAUSS61,
                                  ws, &den, &err);
    gsl_integration_workspace_free(ws);
    /* GSL_EROUND means the requested accuracy could not be proven though the
     * result is at round-off level: acceptable. */
    if ((rc1 != GSL_SUCCESS && rc1 != GSL_EROUND) || (rc2 != GSL_SUCCESS && rc2 != GSL_EROUND) ||
        !isfinite(num) || !(den > 0.0))
        return LP_ERR_MATH;
    *out_prob = clamp01(num / den);
    return LP_OK;
}

/* ------------------------------------------------------------- descriptive */

static lp_status sorted_copy(const double *values, size_t stride, size_t n, double **out)
{
    double *copy = lp_malloc(n * sizeof(double));
    if (!copy) return LP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        copy[i] = values[i * stride];
        if (isnan(copy[i])) {
            lp_free(copy);
            return LP_ERR_INPUT;
        }
    }
    gsl_sort(copy, 1, n);
    *out = copy;
    return LP_OK;
}

lp_status lp_quantile(const double *values, size_t stride, size_t n, double q,
                      double *out_quantile)
{
    if (!(q >= 0.0 && q <= 1.0) || stride == 0) return LP_ERR_USAGE;
    if (n == 0) return LP_ERR_MATH;
    double *sorted;
    lp_status st = sorted_copy(values, stride, n, &sorted);
    if (st) return st;
    *out_quantile = gsl_stats_quantile_from_sorted_data(sorted, 1, n, q);
    lp_free(sorted);
    return LP_OK;
}

lp_status lp_median(const double *values, size_t stride, size_t n, double *out_median)
{
    return lp_quantile(values, stride, n, 0.5, out_median);
}

lp_status lp_mean(const double *values, size_t stride, size_t n, double *out_mean)
{
    if (stride == 0) return LP_ERR_USAGE;
    if (n == 0) return LP_ERR_MATH;
    long double sum = 0.0L;
    for (size_t i = 0; i < n; i++) {
        if (isnan(values[i * stride])) return LP_ERR_INPUT;
        sum += values[i * stride];
    }
    *out_mean = (double)(sum / (long double)n);
    return LP_OK;
}

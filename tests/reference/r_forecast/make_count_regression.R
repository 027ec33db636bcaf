# Reference fits of Poisson and negative binomial regressions, taken from R.
#
# Produced with: R 4.2.2, MASS 7.3-58.2 (Debian 12: r-base-core, r-cran-mass), by
#   Rscript tests/reference/r_forecast/make_count_regression.R   (run from the repository root)
# It writes, beside this script:
#   count_regression_series.csv  case, t, y, x1, x2     the input series (t = 0..n-1)
#   count_regression.csv         case, model, term, value
# where, for each case and model, the terms are the coefficients on the raw covariates
# (`(Intercept)`, `x1`, `x2`), `theta` (NB size; absent for Poisson) and `loglik`, with these
# exact calls:
#   poisson:      glm(y ~ x1 + x2, family = poisson, control = glm.control(epsilon = 1e-12, maxit = 100))
#   negbin:       MASS::glm.nb(y ~ x1 + x2, control = glm.control(epsilon = 1e-12, maxit = 100))
#   poisson_int:  glm(y ~ 1, family = poisson, ...)      (closed form: exp(intercept) = mean(y))
#   negbin_int:   MASS::glm.nb(y ~ 1, ...)
# Inputs: simulated with set.seed(20261129): x1 ~ N(0, 1), x2 a 0/1 promotion flag with
# probability 0.3, log μ = 0.7 + 0.4·x1 + 0.6·x2; case "pois" draws Poisson(μ) (n = 300), case
# "nb" draws NB(size = 2.5, mu = μ) (n = 400), case "sparse" NB(size = 0.8) with log μ shifted
# by −1.5 (n = 250, mostly zeros).
suppressMessages(library(MASS))
out_dir <- "tests/reference/r_forecast"
set.seed(20261129)
make <- function(case, n, draw, shift = 0) {
  x1 <- rnorm(n)
  x2 <- as.numeric(runif(n) < 0.3)
  mu <- exp(0.7 + shift + 0.4 * x1 + 0.6 * x2)
  data.frame(case = case, t = seq_len(n) - 1, y = draw(n, mu), x1 = x1, x2 = x2)
}
series <- rbind(
  make("pois", 300, function(n, mu) rpois(n, mu)),
  make("nb", 400, function(n, mu) rnbinom(n, size = 2.5, mu = mu)),
  make("sparse", 250, function(n, mu) rnbinom(n, size = 0.8, mu = mu), shift = -1.5)
)
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
rows <- list()
add <- function(case, model, fit, nb) {
  cf <- coef(fit)
  r <- data.frame(case = case, model = model, term = names(cf), value = unname(cf))
  if (nb) r <- rbind(r, data.frame(case = case, model = model, term = "theta", value = fit$theta))
  r <- rbind(r, data.frame(case = case, model = model, term = "loglik",
                           value = as.numeric(logLik(fit))))
  rows[[length(rows) + 1]] <<- r
}
for (case in unique(series$case)) {
  d <- series[series$case == case, ]
  add(case, "poisson", glm(y ~ x1 + x2, family = poisson, data = d, control = ctl), FALSE)
  add(case, "negbin", glm.nb(y ~ x1 + x2, data = d, control = ctl), TRUE)
  add(case, "poisson_int", glm(y ~ 1, family = poisson, data = d, control = ctl), FALSE)
  add(case, "negbin_int", glm.nb(y ~ 1, data = d, control = ctl), TRUE)
}
out <- do.call(rbind, rows)
write.csv(series, file.path(out_dir, "count_regression_series.csv"), row.names = FALSE)
write.csv(format(out, digits = 15), file.path(out_dir, "count_regression.csv"), row.names = FALSE,
          quote = TRUE)

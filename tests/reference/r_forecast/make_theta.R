# Reference values for quickstock's Theta (the standard Theta method), taken from R's forecast
# package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_theta.R   (run from the repository root)
# It writes, beside this script:
#   theta_series.csv     series, m, t, y                       the input series (t = 1..n)
#   theta_fits.csv       series, m, n, h, seasonal, alpha, drift, sigma2
#                        (fit$model of thetaf; `seasonal` is thetaf's ACF decision, recomputed
#                        here with the same rule, since thetaf does not return it)
#   theta_forecasts.csv  series, step, mean, lo80, hi80, lo95, hi95
# with this exact call for each series y of frequency m (h = 2m, 10 if m = 1, 48 for hourly):
#   fit <- thetaf(y, h = h, level = c(80, 95))
# Inputs are real public series: R's datasets package, and M4 Hourly series H1 and H107 (last
# 240 hours of the training part, Mcompetitions/M4-methods via ../shared/data/m4), plus the
# full-length H1 (700 hours), and the first 3, 5 and 6 values of Nile, WWWusage and lynx.
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m4 <- read.csv(gzfile("../shared/data/m4/Hourly-train.csv.gz"), stringsAsFactors = FALSE)
m4_series <- function(id, last = 240) {
  v <- as.numeric(m4[m4$V1 == id, -1])
  v <- v[!is.na(v)]
  ts(tail(v, last), frequency = 24)
}
cases <- list(
  AirPassengers = AirPassengers,
  USAccDeaths = USAccDeaths,
  nottem = nottem,
  WWWusage = WWWusage,
  austres = austres,
  lynx = lynx,
  Nile = Nile,
  co2 = co2,
  M4_H1 = m4_series("H1"),
  M4_H107 = m4_series("H107"),
  M4_H1_full = m4_series("H1", 10000),
  # Short series (R's ets fits ETS(A,N,N) as Holt-Winters when n <= 6).
  Nile_first3 = ts(head(as.numeric(Nile), 3)),
  WWWusage_first5 = ts(head(as.numeric(WWWusage), 5)),
  lynx_first6 = ts(head(as.numeric(lynx), 6))
)
h_of <- function(m) if (m >= 24) 48 else if (m > 1) 2 * m else 10
# thetaf's seasonality decision: lag-m autocorrelation beyond the 90% bound.
is_seasonal <- function(y) {
  m <- frequency(y)
  n <- length(y)
  if (m <= 1 || is.constant(y) || n <= 2 * m) return(FALSE)
  r <- as.numeric(acf(y, lag.max = m, plot = FALSE)$acf)[-1]
  abs(r[m]) / sqrt((1 + 2 * sum(r[-m]^2)) / n) > qnorm(0.95)
}
num <- function(x) sprintf("%.17g", as.numeric(x))

series_rows <- list()
fit_rows <- list()
fc_rows <- list()
for (name in names(cases)) {
  y <- cases[[name]]
  m <- frequency(y)
  h <- h_of(m)
  series_rows[[name]] <- data.frame(series = name, m = m, t = seq_along(y), y = num(y))
  fit <- thetaf(y, h = h, level = c(80, 95))
  fit_rows[[name]] <- data.frame(series = name, m = m, n = length(y), h = h,
                                 seasonal = as.integer(is_seasonal(y)),
                                 alpha = num(fit$model$alpha), drift = num(fit$model$drift),
                                 sigma2 = num(fit$model$sigma))
  fc_rows[[name]] <- data.frame(series = name, step = seq_len(h), mean = num(fit$mean),
                                lo80 = num(fit$lower[, 1]), hi80 = num(fit$upper[, 1]),
                                lo95 = num(fit$lower[, 2]), hi95 = num(fit$upper[, 2]))
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "theta_series.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fit_rows), file.path(out_dir, "theta_fits.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "theta_forecasts.csv"),
          row.names = FALSE, quote = FALSE)

# Reference values for quickstock's ARIMA and AutoARIMA, taken from R's forecast package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_arima.R   (run from the repository root)
# It writes, beside this script:
#   arima_series.csv     series, m, t, y            the input series (t = 1..n)
#   arima_fits.csv       series, spec, name (R's arima.string), p, d, q, P, D, Q, m, coef (";"-separated,
#                        R's order), sigma2, loglik, aic, aicc, bic
#   arima_forecasts.csv  series, spec, step, mean, lo95, lo80, hi80, hi95
# with these calls for each series y of frequency m and horizon h (h = 2m, 10 if m = 1, 48 hourly):
#   spec "auto":      auto.arima(y, seasonal.test = "ocsb")
#   spec "auto_seas": auto.arima(y)   (R's default seasonal test, seasonal strength; m > 1)
#   spec "auto_full": auto.arima(y, seasonal.test = "ocsb", stepwise = FALSE)   (n <= 150, m <= 12)
#   spec "ar2":       Arima(y, order = c(2, 0, 0))                                (with mean)
#   spec "arima111d": Arima(y, order = c(1, 1, 1), include.drift = TRUE)
#   spec "ml211":     Arima(y, order = c(2, 1, 1), method = "ML")
#   spec "css201":    Arima(y, order = c(2, 0, 1), method = "CSS")
#   spec "airline":   Arima(y, order = c(0, 1, 1), seasonal = c(0, 1, 1))         (seasonal only)
#   spec "sar":       Arima(y, order = c(1, 0, 1), seasonal = c(1, 1, 0), include.drift = TRUE)
#   forecast(fit, h = h, level = c(80, 95))
# and one regression with ARIMA errors (xreg): spec "xreg" on USAccDeaths with a step regressor
# x_t = (t > 36) + 0.5 sin(2 pi t / 12) (future: t = n + 1..n + h):
#   Arima(y, order = c(1, 0, 1), seasonal = c(0, 1, 1), xreg = x) and
#   spec "auto_xreg": auto.arima(y, xreg = x, seasonal.test = "ocsb")
#   spec "auto_xreg_seas": auto.arima(y, xreg = x)
# Inputs are real public series: R's datasets package and M4 Hourly series (last 240 hours of
# the training part, Mcompetitions/M4-methods via ../shared/data/m4).
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m4 <- read.csv(gzfile("../shared/data/m4/Hourly-train.csv.gz"), stringsAsFactors = FALSE)
m4_series <- function(id) {
  v <- as.numeric(m4[m4$V1 == id, -1])
  v <- v[!is.na(v)]
  ts(tail(v, 240), frequency = 24)
}
cases <- list(
  AirPassengers = AirPassengers,
  USAccDeaths = USAccDeaths,
  lynx = lynx,
  WWWusage = WWWusage,
  austres = austres,
  M4_H1 = m4_series("H1"),
  M4_H107 = m4_series("H107"),
  M4_H20 = m4_series("H20"),
  M4_H250 = m4_series("H250"),
  M4_H400 = m4_series("H400")
)
h_of <- function(m) if (m >= 24) 48 else if (m > 1) 2 * m else 10
num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) "" else sprintf("%.17g", x)
series_rows <- list(); fit_rows <- list(); fc_rows <- list()
add <- function(name, spec, fit, h, xf = NULL) {
  if (inherits(fit, "try-error")) return(invisible(NULL))  # R could not fit it: no reference
  a <- fit$arma
  fit_rows[[length(fit_rows) + 1]] <<- data.frame(
    series = name, spec = spec, name = forecast:::arima.string(fit),
    p = a[1], d = a[6], q = a[2], P = a[3], D = a[7], Q = a[4], m = a[5],
    coef = paste(sprintf("%.17g", unname(fit$coef)), collapse = ";"),
    sigma2 = num(fit$sigma2), loglik = num(fit$loglik), aic = num(fit$aic),
    aicc = num(fit$aicc), bic = num(fit$bic))
  fc <- if (is.null(xf)) forecast(fit, h = h, level = c(80, 95)) else
    forecast(fit, h = h, level = c(80, 95), xreg = xf)
  fc_rows[[length(fc_rows) + 1]] <<- data.frame(
    series = name, spec = spec, step = seq_len(h),
    mean = sprintf("%.17g", as.numeric(fc$mean)),
    lo95 = sprintf("%.17g", as.numeric(fc$lower[, 2])),
    lo80 = sprintf("%.17g", as.numeric(fc$lower[, 1])),
    hi80 = sprintf("%.17g", as.numeric(fc$upper[, 1])),
    hi95 = sprintf("%.17g", as.numeric(fc$upper[, 2])))
}
for (name in names(cases)) {
  y <- cases[[name]]
  m <- frequency(y)
  h <- h_of(m)
  series_rows[[name]] <- data.frame(series = name, m = m, t = seq_along(y),
                                    y = sprintf("%.17g", as.numeric(y)))
  add(name, "auto", try(auto.arima(y, seasonal.test = "ocsb"), silent = TRUE), h)
  if (m > 1) add(name, "auto_seas", try(auto.arima(y), silent = TRUE), h)
  if (length(y) <= 150 && m <= 12)
    add(name, "auto_full", try(auto.arima(y, seasonal.test = "ocsb", stepwise = FALSE), silent = TRUE), h)
  add(name, "ar2", try(Arima(y, order = c(2, 0, 0)), silent = TRUE), h)
  add(name, "arima111d", try(Arima(y, order = c(1, 1, 1), include.drift = TRUE), silent = TRUE), h)
  add(name, "ml211", try(Arima(y, order = c(2, 1, 1), method = "ML"), silent = TRUE), h)
  add(name, "css201", try(Arima(y, order = c(2, 0, 1), method = "CSS"), silent = TRUE), h)
  if (m > 1) {
    add(name, "airline", try(Arima(y, order = c(0, 1, 1), seasonal = c(0, 1, 1)), silent = TRUE), h)
    add(name, "sar", try(Arima(y, order = c(1, 0, 1), seasonal = c(1, 1, 0), include.drift = TRUE), silent = TRUE), h)
  }
}
y <- USAccDeaths
n <- length(y); h <- 24
tt <- seq_len(n + h)
xall <- as.numeric(tt > 36) + 0.5 * sin(2 * pi * tt / 12)
x <- matrix(xall[1:n], ncol = 1); xf <- matrix(xall[(n + 1):(n + h)], ncol = 1)
add("USAccDeaths", "xreg", try(Arima(y, order = c(1, 0, 1), seasonal = c(0, 1, 1), xreg = x), silent = TRUE), h, xf)
add("USAccDeaths", "auto_xreg", try(auto.arima(y, xreg = x, seasonal.test = "ocsb"), silent = TRUE), h, xf)
add("USAccDeaths", "auto_xreg_seas", try(auto.arima(y, xreg = x), silent = TRUE), h, xf)
write.csv(data.frame(t = tt, x = sprintf("%.17g", xall)), file.path(out_dir, "arima_xreg.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, series_rows), file.path(out_dir, "arima_series.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fit_rows), file.path(out_dir, "arima_fits.csv"), row.names = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "arima_forecasts.csv"), row.names = FALSE, quote = FALSE)

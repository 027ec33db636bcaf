# Reference values for quickstock's ETS models, taken from R's forecast package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_ets.R   (run from the repository root)
# It writes, beside this script:
#   ets_series.csv     series, m, t, y          the input series (t = 1..n)
#   ets_fits.csv       series, spec, method (e.g. "MAdM" for ETS(M,Ad,M)), alpha, beta, gamma, phi, loglik, aicc, sigma2,
#                      n_par, initstate (";"-separated l, [b], s1..sm)
#   ets_forecasts.csv  series, spec, step, mean, lo95, lo80, hi80, hi95
# with these exact calls for each series y of frequency m and horizon h (h = 2m, 10 if m = 1,
# 48 for hourly):
#   spec "ZZZ":   fit <- ets(y)                              (automatic selection by AICc)
#   spec "ANN":   fit <- ets(y, model = "ANN")
#   spec "AAN":   fit <- ets(y, model = "AAN", damped = FALSE)
#   spec "AAdN":  fit <- ets(y, model = "AAN", damped = TRUE)
#   spec "MMdN":  fit <- ets(y, model = "MMN", damped = TRUE)   (positive series only; R
#                 simulates its intervals, so only the fit and point forecasts are compared)
#   spec "ANA", "AAA", "MNM", "MAM": ets(y, model = ..., damped = FALSE)   (seasonal series only)
#   forecast(fit, h = h, level = c(80, 95))
# Inputs are real public series: R's datasets package, and M4 Hourly series H1 and H107 (last 240
# hours of the training part, Mcompetitions/M4-methods via ../shared/data/m4).
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
  nottem = nottem,
  WWWusage = WWWusage,
  austres = austres,
  lynx = lynx,
  M4_H1 = m4_series("H1"),
  M4_H107 = m4_series("H107")
)
h_of <- function(m) if (m >= 24) 48 else if (m > 1) 2 * m else 10
code_of <- function(fit) {
  cmp <- fit$components
  paste0(cmp[1], cmp[2], if (cmp[4] == "TRUE") "d" else "", cmp[3])
}
num <- function(x) if (is.null(x) || is.na(x)) "" else sprintf("%.17g", x)

series_rows <- list()
fit_rows <- list()
fc_rows <- list()
for (name in names(cases)) {
  y <- cases[[name]]
  m <- frequency(y)
  series_rows[[name]] <- data.frame(series = name, m = m, t = seq_along(y),
                                    y = sprintf("%.17g", as.numeric(y)))
  specs <- list(ZZZ = list(model = "ZZZ", damped = NULL),
                ANN = list(model = "ANN", damped = NULL),
                AAN = list(model = "AAN", damped = FALSE),
                AAdN = list(model = "AAN", damped = TRUE))
  if (min(y) > 0) specs$MMdN <- list(model = "MMN", damped = TRUE)
  if (m > 1) {
    specs$ANA <- list(model = "ANA", damped = NULL)
    specs$AAA <- list(model = "AAA", damped = FALSE)
    if (min(y) > 0) {
      specs$MNM <- list(model = "MNM", damped = NULL)
      specs$MAM <- list(model = "MAM", damped = FALSE)
    }
  }
  for (spec in names(specs)) {
    s <- specs[[spec]]
    fit <- if (spec == "ZZZ") ets(y) else ets(y, model = s$model, damped = s$damped)
    set.seed(1)
    fc <- forecast(fit, h = h_of(m), level = c(80, 95))
    par <- fit$par
    fit_rows[[paste(name, spec)]] <- data.frame(
      series = name, spec = spec, method = code_of(fit),
      alpha = num(par["alpha"]), beta = num(par["beta"]), gamma = num(par["gamma"]),
      phi = num(par["phi"]), loglik = num(fit$loglik), aicc = num(fit$aicc),
      sigma2 = num(fit$sigma2), n_par = length(par),
      initstate = paste(sprintf("%.17g", fit$initstate), collapse = ";"))
    fc_rows[[paste(name, spec)]] <- data.frame(
      series = name, spec = spec, step = seq_len(h_of(m)),
      mean = sprintf("%.17g", as.numeric(fc$mean)),
      lo95 = sprintf("%.17g", as.numeric(fc$lower[, 2])),
      lo80 = sprintf("%.17g", as.numeric(fc$lower[, 1])),
      hi80 = sprintf("%.17g", as.numeric(fc$upper[, 1])),
      hi95 = sprintf("%.17g", as.numeric(fc$upper[, 2])))
  }
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "ets_series.csv"), row.names = FALSE,
          quote = FALSE)
write.csv(do.call(rbind, fit_rows), file.path(out_dir, "ets_fits.csv"), row.names = FALSE,
          quote = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "ets_forecasts.csv"), row.names = FALSE,
          quote = FALSE)

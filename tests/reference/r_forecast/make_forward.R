# Reference values for carrying a fitted model forward to more data without estimating again
# (quickstock's `forward`, used by cross_validation(refit = False)), from R's forecast package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_forward.R   (run from the repository root)
# For each series y (length n, frequency m) the model is fitted to the first n - k observations
# (k = 2m, or 12 when m = 1) and carried to all n:
#   ETS:    fit <- ets(head(y, n - k), model = ..., damped = ...)
#           fwd <- ets(y, model = fit, use.initial.values = TRUE)
#   ARIMA:  fit <- Arima(head(y, n - k), order, seasonal, include.mean, include.drift)
#           fwd <- Arima(y, model = fit)
#   forecast(fwd, h = h, level = 95)  with h = 2m (10 when m = 1)
# It writes, beside this script:
#   forward_series.csv     series, m, t, y
#   forward_fits.csv       series, spec, family, k, method, base (";"-separated: ETS alpha, beta,
#                          gamma, phi then initstate; ARIMA the coefficients), sigma2, loglik
#                          (of fwd)
#   forward_forecasts.csv  series, spec, step, mean, lo95, hi95 (of fwd)
# Inputs are real public series from R's datasets package.
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
num <- function(x) if (is.null(x) || is.na(x)) "" else sprintf("%.17g", x)
cases <- list(
  AirPassengers = list(y = AirPassengers, specs = c("ets_ZZZ", "ets_MAM", "arima_airline")),
  USAccDeaths = list(y = USAccDeaths, specs = c("ets_ZZZ", "ets_AAA", "arima_airline")),
  nottem = list(y = nottem, specs = c("ets_ANA", "arima_sar")),
  WWWusage = list(y = WWWusage, specs = c("ets_AAdN", "arima_111")),
  austres = list(y = austres, specs = c("ets_ZZZ", "arima_drift")),
  LakeHuron = list(y = LakeHuron, specs = c("ets_ANN", "arima_mean")),
  lynx = list(y = lynx, specs = c("ets_MNN", "arima_mean"))
)
series_rows <- list()
fit_rows <- list()
fc_rows <- list()
for (name in names(cases)) {
  y <- cases[[name]]$y
  m <- frequency(y)
  n <- length(y)
  k <- if (m > 1) 2 * m else 12
  h <- if (m > 1) 2 * m else 10
  base_y <- ts(head(as.numeric(y), n - k), start = start(y), frequency = m)
  series_rows[[name]] <- data.frame(series = name, m = m, t = seq_len(n),
                                    y = sprintf("%.17g", as.numeric(y)))
  for (spec in cases[[name]]$specs) {
    if (startsWith(spec, "ets_")) {
      code <- sub("ets_", "", spec)
      damped <- grepl("d", code)
      letters <- gsub("d", "", code)
      fit <- if (letters == "ZZZ") ets(base_y) else ets(base_y, model = letters, damped = damped)
      fwd <- ets(y, model = fit, use.initial.values = TRUE)
      cmp <- fit$components
      method <- paste0(cmp[1], cmp[2], if (cmp[4] == "TRUE") "d" else "", cmp[3])
      par <- fit$par
      base <- c(par["alpha"], if ("beta" %in% names(par)) par["beta"] else NA,
                if ("gamma" %in% names(par)) par["gamma"] else NA,
                if ("phi" %in% names(par)) par["phi"] else NA, fit$initstate)
      family <- "ets"
    } else {
      args <- switch(spec,
        arima_airline = list(order = c(0, 1, 1), seasonal = c(0, 1, 1), include.mean = FALSE,
                             include.drift = FALSE),
        arima_sar = list(order = c(1, 0, 0), seasonal = c(1, 1, 0), include.mean = FALSE,
                         include.drift = FALSE),
        arima_111 = list(order = c(1, 1, 1), seasonal = c(0, 0, 0), include.mean = FALSE,
                         include.drift = FALSE),
        arima_drift = list(order = c(1, 1, 0), seasonal = c(0, 0, 0), include.mean = FALSE,
                           include.drift = TRUE),
        arima_mean = list(order = c(2, 0, 0), seasonal = c(0, 0, 0), include.mean = TRUE,
                          include.drift = FALSE))
      fit <- do.call(Arima, c(list(y = base_y), args))
      fwd <- Arima(y, model = fit)
      method <- paste(c(args$order, args$seasonal, as.integer(args$include.mean),
                        as.integer(args$include.drift)), collapse = ";")
      base <- fit$coef
      family <- "arima"
    }
    fc <- forecast(fwd, h = h, level = 95)
    fit_rows[[paste(name, spec)]] <- data.frame(
      series = name, spec = spec, family = family, k = k, method = method,
      base = paste(vapply(as.numeric(base), num, ""), collapse = ";"),
      sigma2 = num(fwd$sigma2), loglik = num(fwd$loglik))
    fc_rows[[paste(name, spec)]] <- data.frame(
      series = name, spec = spec, step = seq_len(h),
      mean = sprintf("%.17g", as.numeric(fc$mean)),
      lo95 = sprintf("%.17g", as.numeric(fc$lower[, 1])),
      hi95 = sprintf("%.17g", as.numeric(fc$upper[, 1])))
  }
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "forward_series.csv"), row.names = FALSE)
write.csv(do.call(rbind, fit_rows), file.path(out_dir, "forward_fits.csv"), row.names = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "forward_forecasts.csv"), row.names = FALSE)

# Reference values for quickstock's STL, MSTL decomposition and MSTL forecast, taken from R.
#
# Produced with: R 4.2.2 (stats::stl), forecast 8.20 (forecast::mstl, forecast.mstl), Debian 12
# packages r-base-core and r-cran-forecast, by
#   Rscript tests/reference/r_forecast/make_mstl.R   (run from the repository root)
# It writes, beside this script:
#   mstl_series.csv      series, t, y                      the inputs (t = 1..n)
#   mstl_cases.csv       case, series, method, periods, s_window, robust, h
#   mstl_components.csv  case, t, trend, seasonal (";"-separated, one per period, ascending), remainder
#   mstl_forecasts.csv   case, step, mean, lo80, hi80, lo95, hi95
# with these exact calls, y being the series as a ts of frequency periods[1] (stl) or
# msts(y, seasonal.periods = periods) (mstl with several periods):
#   method "stl":   stl(y, s.window = s_window, robust = robust)      (s_window "periodic" or a number)
#   method "mstl":  mstl(y)                                           (R's defaults: iterate = 2,
#                   s.window = 7 + 4 * seq(6); a single period gives a plain ts: iterate = 1)
#   forecasts (rows with h > 0): forecast(mstl(y), method = "ets", h = h, level = c(80, 95))
#                   i.e. ets(seasadj, model = "ZZN") on the seasonally adjusted series, plus
#                   the seasonal naive forecast of each seasonal component.
# Inputs are real public series: R's datasets (AirPassengers, nottem, USAccDeaths), forecast's
# taylor (first 2016 half-hours), M4 Hourly H1 and H150 (whole training part,
# Mcompetitions/M4-methods via ../shared/data/m4) and Favorita store 44's daily transactions
# (first 1000 rows in date order, as a plain sequence; ../shared/data/favorita_store_sales).
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m4 <- read.csv(gzfile("../shared/data/m4/Hourly-train.csv.gz"), stringsAsFactors = FALSE)
m4_series <- function(id) {
  v <- as.numeric(m4[m4$V1 == id, -1])
  v[!is.na(v)]
}
fav <- read.csv(gzfile("../shared/data/favorita_store_sales/transactions.csv.gz"))
fav <- fav[fav$store_nbr == 44, ]
fav <- fav[order(fav$date), ]
series <- list(
  AirPassengers = as.numeric(AirPassengers),
  nottem = as.numeric(nottem),
  USAccDeaths = as.numeric(USAccDeaths),
  taylor = as.numeric(taylor)[1:2016],
  M4_H1 = m4_series("H1"),
  M4_H150 = m4_series("H150"),
  favorita44 = as.numeric(fav$transactions[1:1000])
)
cases <- list(
  list("air_stl_periodic", "AirPassengers", "stl", 12, "periodic", FALSE, 0),
  list("air_stl_7", "AirPassengers", "stl", 12, "7", FALSE, 0),
  list("nottem_stl_13", "nottem", "stl", 12, "13", FALSE, 0),
  list("usacc_stl_7_robust", "USAccDeaths", "stl", 12, "7", TRUE, 0),
  list("usacc_stl_periodic_robust", "USAccDeaths", "stl", 12, "periodic", TRUE, 0),
  list("h1_stl_13", "M4_H1", "stl", 24, "13", FALSE, 0),
  list("taylor_stl_periodic", "taylor", "stl", 48, "periodic", FALSE, 0),
  list("air_mstl", "AirPassengers", "mstl", 12, "", FALSE, 24),
  list("h1_mstl", "M4_H1", "mstl", c(24, 168), "", FALSE, 48),
  list("h150_mstl", "M4_H150", "mstl", c(24, 168), "", FALSE, 48),
  list("taylor_mstl", "taylor", "mstl", c(48, 336), "", FALSE, 96),
  list("favorita_mstl", "favorita44", "mstl", c(7, 365.25), "", FALSE, 28)
)
num <- function(x) sprintf("%.17g", x)
series_rows <- list()
for (name in names(series)) {
  series_rows[[name]] <- data.frame(series = name, t = seq_along(series[[name]]),
                                    y = num(series[[name]]))
}
case_rows <- list()
comp_rows <- list()
fc_rows <- list()
for (cs in cases) {
  names(cs) <- c("case", "series", "method", "periods", "s_window", "robust", "h")
  x <- series[[cs$series]]
  if (cs$method == "stl") {
    y <- ts(x, frequency = cs$periods)
    sw <- if (cs$s_window == "periodic") "periodic" else as.numeric(cs$s_window)
    fit <- stl(y, s.window = sw, robust = cs$robust)
    trend <- as.numeric(fit$time.series[, "trend"])
    seas <- matrix(as.numeric(fit$time.series[, "seasonal"]), ncol = 1)
    rem <- as.numeric(fit$time.series[, "remainder"])
  } else {
    y <- if (length(cs$periods) > 1) msts(x, seasonal.periods = cs$periods) else
      ts(x, frequency = cs$periods)
    fit <- mstl(y)
    cols <- colnames(fit)
    trend <- as.numeric(fit[, "Trend"])
    seas <- as.matrix(fit[, grepl("Season", cols), drop = FALSE])
    rem <- as.numeric(fit[, "Remainder"])
    if (cs$h > 0) {
      fc <- forecast(fit, method = "ets", h = cs$h, level = c(80, 95))
      fc_rows[[cs$case]] <- data.frame(
        case = cs$case, step = seq_len(cs$h), mean = num(fc$mean),
        lo80 = num(fc$lower[, 1]), hi80 = num(fc$upper[, 1]),
        lo95 = num(fc$lower[, 2]), hi95 = num(fc$upper[, 2]))
    }
  }
  case_rows[[cs$case]] <- data.frame(
    case = cs$case, series = cs$series, method = cs$method,
    periods = paste(cs$periods, collapse = ";"), s_window = cs$s_window,
    robust = cs$robust, h = cs$h)
  comp_rows[[cs$case]] <- data.frame(
    case = cs$case, t = seq_along(trend), trend = num(trend),
    seasonal = apply(seas, 1, function(r) paste(num(r), collapse = ";")),
    remainder = num(rem))
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "mstl_series.csv"), row.names = FALSE)
write.csv(do.call(rbind, case_rows), file.path(out_dir, "mstl_cases.csv"), row.names = FALSE)
write.csv(do.call(rbind, comp_rows), file.path(out_dir, "mstl_components.csv"), row.names = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "mstl_forecasts.csv"), row.names = FALSE)

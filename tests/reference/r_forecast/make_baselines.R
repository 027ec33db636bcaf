# Reference values for quickstock's baseline models, taken from R's forecast package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_baselines.R   (run from the repository root)
# It writes, beside this script:
#   series.csv     series, m, t, y        the input series (t = 1..n)
#   baselines.csv  series, method, step, mean, lo95, lo80, hi80, hi95
# with these exact calls for each series y of frequency m and horizon h:
#   naive(y, h, level = c(80, 95))
#   snaive(y, h, level = c(80, 95))          (only when length(y) >= m)
#   rwf(y, h, drift = TRUE, level = c(80, 95))   (only when length(y) >= 3)
#   meanf(y, h, level = c(80, 95))           (only when length(y) >= 2)
# Inputs are real public series: R's datasets package, and M4 Hourly series H1 and H107 (last 336
# hours of the training part, Mcompetitions/M4-methods via ../shared/data/m4), plus short
# prefixes of real series for the small-sample edge cases.
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m4 <- read.csv(gzfile("../shared/data/m4/Hourly-train.csv.gz"), stringsAsFactors = FALSE)
m4_series <- function(id) {
  v <- as.numeric(m4[m4$V1 == id, -1])
  v <- v[!is.na(v)]
  ts(tail(v, 336), frequency = 24)
}
cases <- list(
  AirPassengers = AirPassengers,
  USAccDeaths = USAccDeaths,
  nottem = nottem,
  lynx = lynx,
  Nile = Nile,
  discoveries = discoveries,
  WWWusage = WWWusage,
  M4_H1 = m4_series("H1"),
  M4_H107 = m4_series("H107"),
  short_AirPassengers_5 = ts(AirPassengers[1:5], frequency = 12),
  short_Nile_3 = ts(Nile[1:3]),
  short_Nile_2 = ts(Nile[1:2]),
  quarterly_austres = austres
)
h_of <- function(m) if (m >= 24) 48 else if (m > 1) 2 * m + 3 else 10

series_rows <- list()
fc_rows <- list()
add_fc <- function(name, method, f) {
  lo <- as.matrix(f$lower); hi <- as.matrix(f$upper)
  data.frame(series = name, method = method, step = seq_along(f$mean),
             mean = as.numeric(f$mean), lo95 = as.numeric(lo[, 2]), lo80 = as.numeric(lo[, 1]),
             hi80 = as.numeric(hi[, 1]), hi95 = as.numeric(hi[, 2]))
}
for (name in names(cases)) {
  y <- cases[[name]]
  m <- frequency(y)
  n <- length(y)
  h <- h_of(m)
  series_rows[[name]] <- data.frame(series = name, m = m, t = seq_len(n), y = as.numeric(y))
  fc_rows[[paste(name, "naive")]] <- add_fc(name, "naive", naive(y, h, level = c(80, 95)))
  if (n >= m) fc_rows[[paste(name, "snaive")]] <- add_fc(name, "snaive", snaive(y, h, level = c(80, 95)))
  if (n >= 3) fc_rows[[paste(name, "rwf_drift")]] <- add_fc(name, "rwf_drift", rwf(y, h, drift = TRUE, level = c(80, 95)))
  if (n >= 2) fc_rows[[paste(name, "meanf")]] <- add_fc(name, "meanf", meanf(y, h, level = c(80, 95)))
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "series.csv"), row.names = FALSE)
fc <- do.call(rbind, fc_rows)
write.csv(fc, file.path(out_dir, "baselines.csv"), row.names = FALSE, quote = FALSE)

# Reference values for quickstock's seasonal tests (seasonal_strength, nsdiffs), from R's forecast.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_arima_seas.R   (run from the repository root)
# It reads the series of arima_series.csv (written by make_arima.R) and writes, beside this script,
#   arima_seas.csv   series, m, strength, D_seas, D_ocsb
# for every seasonal series y (frequency m > 1):
#   strength = forecast:::seas.heuristic(y)      STL seasonal strength (mstl(y): stl(s.window = 11))
#   D_seas   = nsdiffs(y)                        R's default test "seas": strength > 0.64
#   D_ocsb   = nsdiffs(y, test = "ocsb")
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
s <- read.csv(file.path(out_dir, "arima_series.csv"), stringsAsFactors = FALSE)
rows <- list()
for (name in unique(s$series)) {
  g <- s[s$series == name, ]
  m <- g$m[1]
  if (m <= 1) next
  y <- ts(g$y[order(g$t)], frequency = m)
  rows[[name]] <- data.frame(series = name, m = m,
                             strength = sprintf("%.17g", forecast:::seas.heuristic(y)),
                             D_seas = nsdiffs(y), D_ocsb = nsdiffs(y, test = "ocsb"))
}
write.csv(do.call(rbind, rows), file.path(out_dir, "arima_seas.csv"), row.names = FALSE, quote = FALSE)

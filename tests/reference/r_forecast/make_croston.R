# Reference point forecasts of Croston's method, taken from R's forecast package.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_croston.R   (run from the repository root)
# (tsintermittent, which has SBA/TSB/ADIDA/IMAPA, is not packaged in Debian and is not used.)
# It writes, beside this script:
#   croston_series.csv  series, t, y           the input series (t = 1..n)
#   croston.csv         series, alpha, mean    R's point forecast (flat over the horizon)
# with this exact call for each series y and alpha in {0.1, 0.3}:
#   croston(y, h = 5, alpha = alpha)$mean[1]
# Inputs: the last 365 days (d_1549..d_1913) of 8 real M5 item x store series from
# ../shared/data/m5/tiny_m5_sales_d1_d1913.csv.gz (from very sparse to daily sellers), and four
# hand cases: one demand (R: size / position), demand in the first step only, every step the
# same (constant 3), and a series whose last step is a demand.
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m5 <- read.csv(gzfile("../shared/data/m5/tiny_m5_sales_d1_d1913.csv.gz"), stringsAsFactors = FALSE)
ids <- c("HOBBIES_2_015_CA_1_validation", "HOBBIES_1_157_TX_2_validation",
         "HOUSEHOLD_1_179_WI_1_validation", "FOODS_1_033_CA_1_validation",
         "FOODS_3_586_CA_3_validation", "HOUSEHOLD_2_448_TX_1_validation",
         "FOODS_2_360_WI_3_validation", "HOBBIES_2_126_CA_2_validation")
days <- grep("^d_", names(m5), value = TRUE)
cases <- list()
for (id in ids) {
  row <- m5[m5$id == id, days]
  if (nrow(row) != 1) stop("series not found: ", id)
  cases[[id]] <- tail(as.numeric(row), 365)
}
cases$one_demand <- c(0, 0, 0, 5, 0, 0, 0, 0)
cases$first_only <- c(2, 0, 0, 0, 0, 0)
cases$constant <- rep(3, 20)
cases$ends_in_demand <- c(0, 1, 0, 0, 4, 0, 2, 0, 0, 0, 7)

series_rows <- list()
fc_rows <- list()
for (name in names(cases)) {
  y <- cases[[name]]
  series_rows[[name]] <- data.frame(series = name, t = seq_along(y), y = sprintf("%.17g", y))
  for (alpha in c(0.1, 0.3)) {
    fc_rows[[paste(name, alpha)]] <- data.frame(
      series = name, alpha = alpha,
      mean = sprintf("%.17g", croston(ts(y), h = 5, alpha = alpha)$mean[1]))
  }
}
write.csv(do.call(rbind, series_rows), file.path(out_dir, "croston_series.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fc_rows), file.path(out_dir, "croston.csv"),
          row.names = FALSE, quote = FALSE)

# Reference values for quickstock's AutoETS on full-length M4 Hourly series, from R's forecast.
#
# Produced with: R 4.2.2, forecast 8.20 (Debian 12: r-base-core, r-cran-forecast), by
#   Rscript tests/reference/r_forecast/make_ets_m4.R   (run from the repository root)
# It writes, beside this script:
#   ets_m4_series.csv     series, t, y                 the training part (t = 1..n, 700-960 points)
#   ets_m4_forecasts.csv  series, method, aicc, step, mean
# with, for each series y (frequency 24): fit <- ets(y); forecast(fit, h = 48, PI = FALSE).
# The series are the four M4 Hourly series with the largest AutoETS MASE on the M4 test set
# (H249, H261, H325, H289; Mcompetitions/M4-methods via ../shared/data/m4): they dominate the
# MASE difference between R/quickstock and statsforecast (docs/ets.md), so the test shows that
# quickstock's result there is R's.
suppressMessages(library(forecast))
out_dir <- "tests/reference/r_forecast"
m4 <- read.csv(gzfile("../shared/data/m4/Hourly-train.csv.gz"), stringsAsFactors = FALSE)
series <- list()
fcs <- list()
for (id in c("H249", "H261", "H325", "H289")) {
  v <- as.numeric(m4[m4$V1 == id, -1])
  v <- v[!is.na(v)]
  fit <- ets(ts(v, frequency = 24))
  fc <- forecast(fit, h = 48, PI = FALSE)
  method <- gsub("[(),]", "", sub("^ETS", "", fit$method))
  series[[id]] <- data.frame(series = id, t = seq_along(v), y = v)
  fcs[[id]] <- data.frame(series = id, method = method, aicc = fit$aicc, step = 1:48,
                          mean = as.numeric(fc$mean))
}
write.csv(do.call(rbind, series), file.path(out_dir, "ets_m4_series.csv"), row.names = FALSE,
          quote = FALSE)
out <- do.call(rbind, fcs)
out$aicc <- sprintf("%.17g", out$aicc)
out$mean <- sprintf("%.17g", out$mean)
write.csv(out, file.path(out_dir, "ets_m4_forecasts.csv"), row.names = FALSE, quote = FALSE)

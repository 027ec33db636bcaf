#pragma once

/// @file
/// Umbrella header: everything public in quickstock.

#include <quickstock/config.hpp>
#include <quickstock/core/frequency.hpp>
#include <quickstock/core/parallel.hpp>
#include <quickstock/core/progress.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/decisions/anomalies.hpp>
#include <quickstock/decisions/inventory.hpp>
#include <quickstock/error.hpp>
#include <quickstock/eval/metrics.hpp>
#include <quickstock/features/window.hpp>
#include <quickstock/io/csv.hpp>
#include <quickstock/io/saved.hpp>
#include <quickstock/models/arima.hpp>
#include <quickstock/models/baselines.hpp>
#include <quickstock/models/count_regression.hpp>
#include <quickstock/models/ensemble.hpp>
#include <quickstock/models/ets.hpp>
#include <quickstock/models/forecast.hpp>
#include <quickstock/models/intermittent.hpp>
#include <quickstock/models/model.hpp>
#include <quickstock/models/mstl.hpp>
#include <quickstock/models/stl.hpp>
#include <quickstock/models/theta.hpp>
#include <quickstock/reconcile/hierarchy.hpp>
#include <quickstock/reconcile/reconcile.hpp>
#include <quickstock/version.hpp>

#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test: C++ (Catch2 via ctest, with warnings as errors),
# Python (pytest on the installed package), the CMake find_package consumer and the example
# against the installed library, pytest on the pip-installed package, the contract check and
# the demo. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-$(nproc)}
BUILD=${BUILD:-build/ci}
PREFIX="$PWD/$BUILD/install"

bash scripts/setup.sh

echo "== format gate: clang-format --dry-run --Werror on all C++"
git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run --Werror

echo "== C++ build (Release, -Werror) with tests, examples, benchmarks (built, not run) and the Python module"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUICKSTOCK_WERROR=ON \
  -DQUICKSTOCK_BUILD_TESTS=ON -DQUICKSTOCK_BUILD_EXAMPLES=ON -DQUICKSTOCK_BUILD_PYTHON=ON \
  -DQUICKSTOCK_BUILD_BENCHMARKS=ON \
  -DPython_EXECUTABLE="$(command -v "$PYTHON")" -DCMAKE_INSTALL_PREFIX="$PREFIX" >/dev/null
cmake --build "$BUILD" -j "$JOBS"

echo "== ctest: Catch2 tests and the add_subdirectory consumer (pytest runs once, below, on the installed package)"
ctest --test-dir "$BUILD" -j "$JOBS" --output-on-failure -E '^pytest$'

echo "== C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer (Debug: Eigen and xtensor asserts on)"
cmake --preset asan -B "$BUILD-asan" >/dev/null
cmake --build "$BUILD-asan" -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$BUILD-asan" -j "$JOBS" -E "cmake_" --output-on-failure

# fuzz LOG COMMAND...: run a bounded fuzzer; print its counts, or on a finding the report
# (stack or traceback, and the input in hex and base64) and fail
fuzz() {
  local log=$1
  shift
  if "$@" -print_final_stats=1 > "$log" 2>&1; then
    grep -E "^(Done|stat::number_of_executed_units)" "$log"
  else
    tail -n 80 "$log"
    echo "the fuzzer found an input that breaks the contract: keep it under tests/fuzz/regressions"
    return 1
  fi
}

echo "== libFuzzer (clang, ASan+UBSan): panel validation and every baseline, 30 s"
CXX=clang++ cmake -S . -B "$BUILD-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQUICKSTOCK_BUILD_FUZZERS=ON -DQUICKSTOCK_BUILD_TESTS=OFF -DQUICKSTOCK_BUILD_EXAMPLES=OFF \
  -DQUICKSTOCK_INSTALL=OFF -DQUICKSTOCK_SANITIZE=address,undefined >/dev/null
cmake --build "$BUILD-fuzz" -j "$JOBS" --target quickstock_fuzz_panel quickstock_fuzz_csv
mkdir -p "$BUILD-fuzz/corpus"
fuzz "$BUILD-fuzz/panel.log" "$BUILD-fuzz/tests/fuzz/quickstock_fuzz_panel" -max_total_time=30 \
  -artifact_prefix="$BUILD-fuzz/" "$BUILD-fuzz/corpus" tests/fuzz/corpus
echo "== libFuzzer (clang, ASan+UBSan): the CSV reader and the panel built from it, 45 s"
mkdir -p "$BUILD-fuzz/corpus_csv"
fuzz "$BUILD-fuzz/csv.log" "$BUILD-fuzz/tests/fuzz/quickstock_fuzz_csv" -max_total_time=45 \
  -artifact_prefix="$BUILD-fuzz/" "$BUILD-fuzz/corpus_csv" tests/fuzz/corpus_csv

echo "== install, then a fresh find_package(quickstock) project and the example against it"
cmake --install "$BUILD" >/dev/null
cmake -S tests/cmake/find_package -B "$BUILD/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$BUILD/consumer" >/dev/null
"$BUILD/consumer/consumer"
cmake -S examples/cpp -B "$BUILD/example" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$BUILD/example" >/dev/null
"$BUILD/example/quickstock_example_forecast" >/dev/null && echo "C++ example: ok"
"$PYTHON" examples/python/forecast_store_panel.py >/dev/null && echo "Python example: ok"

echo "== pytest on the installed package"
"$PYTHON" -m pytest -q -p no:cacheprovider tests/python

echo "== atheris (Python entry points: read_csv, fit/predict, load), 60 s"
if "$PYTHON" -c "import atheris" 2>/dev/null; then
  mkdir -p "$BUILD/corpus_py"
  fuzz "$BUILD/atheris.log" "$PYTHON" tests/python/fuzz_harness.py -max_total_time=60 \
    -artifact_prefix="$BUILD/" "$BUILD/corpus_py" tests/fuzz/corpus_py
else
  echo "atheris is not installed (pip install atheris): skipped"
fi

if [ -f ../shared/tools/contract_check.py ]; then
  echo "== contract check (../shared/tools/contract_check.py)"
  root=$PWD
  (cd /tmp && "$PYTHON" "$root/../shared/tools/contract_check.py" | tail -n 1)
fi

echo "== quickstock demo"
quickstock demo --store 500081 > "$BUILD/demo.txt"
head -n 20 "$BUILD/demo.txt"
echo "scripts/test.sh: all passed"

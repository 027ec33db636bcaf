#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for quickstock and installs the Python package.
#   bash scripts/setup.sh            # system packages (apt, as root), Python packages (pip), pip install .
# Environment: PYTHON (default python3), QUICKSTOCK_SKIP_APT=1 to skip apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

APT_PACKAGES=(build-essential cmake ninja-build libeigen3-dev libboost-dev xtensor-dev xtl-dev
  catch2 libbenchmark-dev pybind11-dev clang-format clang libclang-rt-14-dev git
  chromium chromium-driver)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] && [ "${QUICKSTOCK_SKIP_APT:-0}" != 1 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: installing Python packages with $($PYTHON --version 2>&1)"
$PYTHON -m pip install -q --disable-pip-version-check --root-user-action=ignore \
  "numpy>=1.24" "pandas>=1.5" "pybind11>=2.12" "scikit-build-core>=0.10" \
  "pytest>=7" "hypothesis>=6" "scipy>=1.10" "pyarrow>=10" "openpyxl>=3" "polars>=0.20" "holidays==0.109" "dask[dataframe]>=2024.1" "matplotlib>=3.5" "pyspark>=3.5" "mcp>=1.2" "atheris>=2.3" \
  "selenium>=4.10" "nbclient>=0.7" "nbformat>=5.7" "ipykernel>=6.20" "tqdm>=4.60"
echo "setup: building and installing quickstock (pip install .)"
$PYTHON -m pip install -q --disable-pip-version-check --root-user-action=ignore .
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
echo "setup: done — try: quickstock demo"

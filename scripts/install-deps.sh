#!/usr/bin/env bash
# Installs Tessera's build, test and tooling dependencies from Debian 12 packages.
# Idempotent: only packages that are missing are installed; nothing is downloaded
# from anywhere but the Debian archive.
set -euo pipefail

PACKAGES=(
  build-essential cmake make g++ pkg-config
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-scipy
  # HTML reports inline Chart.js (libjs-chart.js); the browser test opens them in headless chromium.
  libjs-chart.js chromium
  # Python module and its tests (python/, tests/python). python3-torch is large: ~9 MB
  # itself but ~170 packages (~1.5 GB of .debs with OpenCV/GDAL/Qt deps); ~100 s to install.
  python3-dev pybind11-dev python3-pytest python3-torch
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

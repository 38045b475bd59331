#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang, ASan + UBSan) and runs each.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]   run each target for SECONDS (default 60)
#   FUZZ_RUNS=1000000 tools/fuzz.sh       run each target for that many executions instead
#   JOBS=N                                build parallelism (default: nproc)
#
# The committed seeds (tests/fuzz/corpus/<target>) are read, never written: new inputs
# go to build-fuzz/corpus/<target>, crashes to build-fuzz/artifacts/. Exits 1 if any
# target crashed, leaked, hung (>10 s on one input) or broke an invariant; each finding
# must become a regression test (a file in the target's seed corpus plus a unit or
# integration test in the owning module).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(fuzz_units fuzz_workload_spec fuzz_trace_csv fuzz_trace_jsonl fuzz_hf_config fuzz_chip_yaml fuzz_system_yaml
     fuzz_graph_json)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

BUILD=build-fuzz
cmake --preset fuzz >/dev/null
cmake --build "$BUILD" --target "${TARGETS[@]}" -j "${JOBS:-$(nproc)}"

mkdir -p "$BUILD/artifacts"
failed=()
printf '%-20s %12s %8s %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
  work="$BUILD/corpus/$t"
  mkdir -p "$work"
  if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); else limit=(-max_total_time="$SECONDS_PER_TARGET"); fi
  log="$BUILD/artifacts/$t.log"
  start=$(date +%s)
  rc=0
  # Under libFuzzer a leak or UB report is a crash too (the preset builds without recovery).
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    "$BUILD/fuzz/$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$BUILD/artifacts/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  result=ok
  if [ "$rc" -ne 0 ]; then
    result="FAILED (exit $rc; see $log)"
    failed+=("$t")
  fi
  printf '%-20s %12s %8s %s\n' "$t" "${runs:-?}" "$(( $(date +%s) - start ))" "$result"
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}; reproduce with $BUILD/fuzz/<target> $BUILD/artifacts/<target>-crash-..." >&2
  for t in "${failed[@]}"; do grep -m3 -E 'ERROR|runtime error|invariant failed' "$BUILD/artifacts/$t.log" >&2 || true; done
  exit 1
fi

#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang, ASan + UBSan) and runs each.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]   run each target for SECONDS (default 60)
#   tools/fuzz.sh --runs N [TARGET...]    run each target for N executions (the release bar:
#                                         N >= 1000000 for every parser target; not in CI)
#   FUZZ_RUNS=N tools/fuzz.sh             the same as --runs N
#   JOBS=N                                build parallelism (default: nproc)
#   PARALLEL=N                            targets fuzzed at once (default 1)
#
# With --runs, a target that stops short of N executions without a finding (it should
# not) fails too, so the table printed at the end is the evidence of the count.
#
# The committed seeds (tests/fuzz/corpus/<target>) are read, never written: new inputs
# go to build-fuzz/corpus/<target>, crashes to build-fuzz/artifacts/. Exits 1 if any
# target crashed, leaked, hung (>10 s on one input) or broke an invariant; each finding
# must become a regression test (a file in the target's seed corpus plus a unit or
# integration test in the owning module).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--runs" ]; then
  FUZZ_RUNS=${2:?--runs needs a count}
  shift 2
  SECONDS_PER_TARGET=0
else
  SECONDS_PER_TARGET=${1:-60}
  shift || true
fi
ALL=(fuzz_units fuzz_workload_spec fuzz_trace_csv fuzz_trace_jsonl fuzz_hf_config fuzz_chip_yaml fuzz_system_yaml
     fuzz_graph_json)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

BUILD=build-fuzz
cmake --preset fuzz >/dev/null
cmake --build "$BUILD" --target "${TARGETS[@]}" -j "${JOBS:-$(nproc)}"

mkdir -p "$BUILD/artifacts"

# Fuzzes one target; leaves "<target> <executions> <seconds> <exit code>" in its .result file.
fuzz_one() {
  local t=$1 work="$BUILD/corpus/$1" log="$BUILD/artifacts/$1.log" start rc=0 limit
  mkdir -p "$work"
  if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); else limit=(-max_total_time="$SECONDS_PER_TARGET"); fi
  start=$(date +%s)
  # Under libFuzzer a leak or UB report is a crash too (the preset builds without recovery).
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    "$BUILD/fuzz/$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$BUILD/artifacts/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  echo "$t $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1) $(( $(date +%s) - start )) $rc" \
    >"$BUILD/artifacts/$t.result"
}

running=0
for t in "${TARGETS[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "${PARALLEL:-1}" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

failed=()
printf '%-20s %12s %8s %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
  read -r _ runs secs rc <"$BUILD/artifacts/$t.result" || true
  result=ok
  if [ "${rc:-1}" -ne 0 ]; then
    result="FAILED (exit ${rc:-?}; see $BUILD/artifacts/$t.log)"
    failed+=("$t")
  elif [ -n "${FUZZ_RUNS:-}" ] && [ "${runs:-0}" -lt "$FUZZ_RUNS" ]; then
    result="FAILED (stopped at ${runs:-0} of $FUZZ_RUNS executions; see $BUILD/artifacts/$t.log)"
    failed+=("$t")
  fi
  printf '%-20s %12s %8s %s\n' "$t" "${runs:-?}" "${secs:-?}" "$result"
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}; reproduce with $BUILD/fuzz/<target> $BUILD/artifacts/<target>-crash-..." >&2
  for t in "${failed[@]}"; do grep -m3 -E 'ERROR|runtime error|invariant failed' "$BUILD/artifacts/$t.log" >&2 || true; done
  exit 1
fi

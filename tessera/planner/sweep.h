// Sweeps: one run_simulation per grid point (specs/io/grid_io.h), on a pool of
// threads, each result a typed row (specs/io/results_store.h). A run that fails
// (bad input, infeasible) is a row too, with its status and message: in a sweep a
// deployment that does not fit is an answer, not an abort.
//
// Determinism: a row depends only on its grid point (every run builds its own
// models; run_simulation mutates no global state), so any thread count, and any
// split across MPI ranks, gives the same rows; stores order them by grid index.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "tessera/planner/simulation.h"
#include "tessera/specs/io/grid_io.h"
#include "tessera/specs/io/results_store.h"

namespace tessera {

// grid_index, key, one column per grid key (named with '_' for '-'; INTEGER or REAL
// when every value of the key is such a number, else TEXT), status ("ok",
// "bad_input", "infeasible", "internal"), error, warnings, then the summary metrics
// (sweep_metric_names()).
std::vector<ResultColumn> sweep_columns(const GridSpec& grid);
std::vector<std::string> sweep_metric_names();

// The row of run `index` of `grid`, given its outcome.
ResultRow sweep_row(const GridSpec& grid, int64_t index, const Result<SimulationOutcome>& outcome);

// Maps a grid point onto its request (the app's `simulate` option mapping).
using RequestBuilder = std::function<Result<SimulationRequest>(const GridPoint&)>;
// Receives one finished row, on the thread that called run_sweep.
using RowSink = std::function<Status(int64_t index, ResultRow&& row)>;

struct SweepRunOptions {
  int jobs = 1;  // worker threads
  // Called on the calling thread at least every `poll_ms` while runs are under way
  // (progress display, MPI messages). An error stops the sweep.
  std::function<Status()> poll;
  int poll_ms = 100;
};

// Runs the grid points `todo` (indices into `grid`) on opts.jobs threads; `build`
// must be safe to call from several threads at once. Rows reach `sink` in
// completion order. An error from `sink` or `poll` stops the sweep (runs in flight
// finish, no new ones start) and is returned.
Status run_sweep(const GridSpec& grid, std::span<const int64_t> todo, const RequestBuilder& build,
                 const RowSink& sink, const SweepRunOptions& opts);

// Convenience: every row of `todo`, sorted by grid index.
Result<std::vector<ResultRow>> run_sweep_rows(const GridSpec& grid, std::span<const int64_t> todo,
                                              const RequestBuilder& build, int jobs);

}  // namespace tessera

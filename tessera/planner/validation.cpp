#include "tessera/planner/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "tessera/planner/simulation.h"
#include "tessera/specs/io/catalog.h"

namespace tessera {

namespace fs = std::filesystem;

SimulationRequest validation_request(const ValidationRow& row, const fs::path& data_dir) {
  SimulationRequest r;
  r.model = row.model;
  r.hardware = row.hardware;
  r.data_dir = data_dir;
  r.deployment.tp = row.tp;
  r.deployment.weight_dtype = parse_dtype(row.weights_dtype).value_or(DType::BF16);
  r.deployment.kv_dtype = parse_dtype(row.kv_dtype).value_or(DType::BF16);
  r.deployment.max_batch = static_cast<int>(row.batch);
  const int64_t n = row.requests > 0 ? row.requests : row.batch;
  // A static-batch benchmark (AWS Neuron rows) prefills every prompt of the batch
  // before the batch decodes together, so the token cap admits the batch whole;
  // a serving benchmark (trtllm-bench) keeps the engine's default token cap.
  r.deployment.max_tokens = n == row.batch ? std::max<int64_t>(8192, row.batch * row.input) : 8192;
  if (n == row.batch)
    r.workload = fmt::format("batch:size={},input={},output={}", row.batch, row.input, row.output);
  else
    r.workload = fmt::format("closed:concurrency={},input={},output={},n={}", row.batch, row.input, row.output, n);
  return r;
}

static std::optional<double> rel_error(std::optional<double> pred, std::optional<double> meas) {
  if (!pred || !meas || *meas <= 0) return std::nullopt;
  return (*pred - *meas) / *meas;
}

static double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static Result<ValidationMetrics> predict(const ValidationRow& row, const fs::path& dir, const PlatformOverheads* o) {
  SimulationRequest req = validation_request(row, dir);
  if (o) req.overheads = *o;
  auto out = run_simulation(req);
  if (!out) return Error{out.error().kind, fmt::format("validation row '{}': {}", row.label, out.error().message)};
  ValidationMetrics m;
  m.throughput = out->summary.output_tokens_per_s;
  m.ttft_ms = out->summary.ttft.p50 * 1e3;
  m.tpot_ms = out->summary.tpot.p50 * 1e3;
  return m;
}

Result<ValidationSetResult> run_validation_set(const fs::path& dir, const std::string& name,
                                               const PlatformOverheads* overheads) {
  auto set = load_validation_set(dir, name);
  if (!set) return set.error();
  ValidationSetResult r;
  r.name = set->name;
  r.description = set->description;
  r.threshold_median = set->threshold_median;
  r.threshold_max = set->threshold_max;
  std::array<std::vector<double>, 3> errs;
  std::vector<double> all;
  for (const ValidationRow& row : set->rows) {
    ValidationRowResult rr;
    rr.label = row.label;
    rr.measured = {row.output_tok_s, row.ttft_p50_ms, row.tpot_p50_ms};
    auto p = predict(row, dir, overheads);
    if (!p) return p.error();
    rr.predicted = *p;
    if (!row.output_tok_s) rr.predicted.throughput.reset();
    if (!row.ttft_p50_ms) rr.predicted.ttft_ms.reset();
    if (!row.tpot_p50_ms) rr.predicted.tpot_ms.reset();
    rr.error = {rel_error(rr.predicted.throughput, rr.measured.throughput),
                rel_error(rr.predicted.ttft_ms, rr.measured.ttft_ms),
                rel_error(rr.predicted.tpot_ms, rr.measured.tpot_ms)};
    const std::array<std::optional<double>, 3> e{rr.error.throughput, rr.error.ttft_ms, rr.error.tpot_ms};
    for (size_t i = 0; i < 3; ++i)
      if (e[i]) { errs[i].push_back(std::abs(*e[i])); all.push_back(std::abs(*e[i])); }
    r.rows.push_back(std::move(rr));
  }
  const std::array<const char*, 3> names{"throughput", "ttft_p50", "tpot_p50"};
  for (size_t i = 0; i < 3; ++i) {
    if (errs[i].empty()) continue;
    r.metrics.push_back({names[i], median(errs[i]), *std::max_element(errs[i].begin(), errs[i].end()),
                         static_cast<int>(errs[i].size())});
  }
  r.median_abs = median(all);
  r.max_abs = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  r.passed = true;
  for (const auto& m : r.metrics)
    r.passed = r.passed && m.median_abs <= r.threshold_median && m.max_abs <= r.threshold_max;
  return r;
}

namespace {

// Solves min ||A x - b||^2 with x >= 0 for 3 unknowns by trying every active set.
std::array<double, 3> nnls3(const std::vector<std::array<double, 3>>& A, const std::vector<double>& b) {
  std::array<double, 3> best{0, 0, 0};
  double best_cost = INFINITY;
  for (int mask = 0; mask < 8; ++mask) {
    std::array<int, 3> idx{};
    int k = 0;
    for (int j = 0; j < 3; ++j)
      if (mask & (1 << j)) idx[k++] = j;
    // Normal equations on the chosen columns (Gaussian elimination, k <= 3).
    double M[3][4] = {};
    for (size_t r = 0; r < A.size(); ++r)
      for (int p = 0; p < k; ++p) {
        for (int q = 0; q < k; ++q) M[p][q] += A[r][idx[p]] * A[r][idx[q]];
        M[p][3] += A[r][idx[p]] * b[r];
      }
    bool singular = false;
    for (int p = 0; p < k && !singular; ++p) {
      int piv = p;
      for (int q = p + 1; q < k; ++q)
        if (std::abs(M[q][p]) > std::abs(M[piv][p])) piv = q;
      if (std::abs(M[piv][p]) < 1e-300) { singular = true; break; }
      for (int c = 0; c < 4; ++c) std::swap(M[p][c], M[piv][c]);
      for (int q = 0; q < k; ++q) {
        if (q == p) continue;
        const double f = M[q][p] / M[p][p];
        for (int c = 0; c < 4; ++c) M[q][c] -= f * M[p][c];
      }
    }
    if (singular) continue;
    std::array<double, 3> x{0, 0, 0};
    bool feasible = true;
    for (int p = 0; p < k; ++p) {
      x[idx[p]] = M[p][3] / M[p][p];
      if (x[idx[p]] < 0) feasible = false;
    }
    if (!feasible) continue;
    double cost = 0;
    for (size_t r = 0; r < A.size(); ++r) {
      const double res = A[r][0] * x[0] + A[r][1] * x[1] + A[r][2] * x[2] - b[r];
      cost += res * res;
    }
    if (cost < best_cost) { best_cost = cost; best = x; }
  }
  return best;
}

bool is_platform(const fs::path& dir, const std::string& hardware, const std::string& platform) {
  auto cat = Catalog::open(dir);
  if (!cat) return false;
  auto s = cat->system(hardware);
  if (!s) return false;
  return (s->chip.neuron_core.has_value() ? "neuron" : "nvidia") == platform;
}

}  // namespace

Result<OverheadFit> fit_platform_overheads(const fs::path& dir, const std::string& platform) {
  // Observations y = duration, TTFT and TPOT; each is affine in the overheads
  // theta = (per_iteration, per_layer, per_collective): y(theta) = y0 + J theta.
  // J is measured by finite differences of 1 ms (exact for affine maps).
  std::vector<std::array<double, 3>> A;
  std::vector<double> b;
  std::vector<std::string> used;
  const Seconds unit = ms(1);
  for (const std::string& name : validation_set_names(dir)) {
    auto set = load_validation_set(dir, name);
    if (!set) return set.error();
    for (const ValidationRow& row : set->rows) {
      if (!is_platform(dir, row.hardware, platform)) continue;
      std::array<ValidationMetrics, 4> m;
      for (int k = 0; k < 4; ++k) {
        PlatformOverheads o;
        o.platform = platform;
        o.source = "calibration probe";
        if (k == 1) o.per_iteration = unit;
        if (k == 2) o.per_layer = unit;
        if (k == 3) o.per_collective = unit;
        auto p = predict(row, dir, &o);
        if (!p) return p.error();
        m[k] = *p;
      }
      // Observations in the affine quantities: TTFT, TPOT, and run time (1/throughput).
      auto add = [&](std::optional<double> meas, auto get) {
        if (!meas || *meas <= 0) return;
        const double y0 = get(m[0]);
        std::array<double, 3> row_a{};
        for (int j = 0; j < 3; ++j) row_a[j] = (get(m[j + 1]) - y0) / (unit.value() * 1e3) / *meas;
        A.push_back(row_a);
        b.push_back((*meas - y0) / *meas);
      };
      add(row.ttft_p50_ms, [](const ValidationMetrics& v) { return *v.ttft_ms; });
      add(row.tpot_p50_ms, [](const ValidationMetrics& v) { return *v.tpot_ms; });
      if (row.output_tok_s)
        add(std::optional<double>(1e3 / *row.output_tok_s), [](const ValidationMetrics& v) { return 1e3 / *v.throughput; });
      used.push_back(row.label);
    }
  }
  if (A.empty()) return bad_input(fmt::format("--platform: no validation rows for platform '{}'", platform));
  const auto x = nnls3(A, b);  // milliseconds
  OverheadFit fit;
  fit.overheads.platform = platform;
  fit.overheads.per_iteration = ms(x[0]);
  fit.overheads.per_layer = ms(x[1]);
  fit.overheads.per_collective = ms(x[2]);
  fit.overheads.source = fmt::format("tessera calibrate --platform {} --write: non-negative least squares on the "
                                     "relative errors of TTFT p50, TPOT p50 and run time over {} rows of data/validation",
                                     platform, used.size());
  double sq = 0;
  std::vector<double> abs_err;
  for (size_t r = 0; r < A.size(); ++r) {
    const double res = A[r][0] * x[0] + A[r][1] * x[1] + A[r][2] * x[2] - b[r];
    sq += res * res;
    abs_err.push_back(std::abs(res));
  }
  fit.report = fmt::format(
      "platform {}: {} rows, {} observations\n"
      "per_iteration = {:.2f} us, per_layer = {:.3f} us, per_collective = {:.3f} us\n"
      "fit residual (relative, on TTFT/TPOT/run time): median {:.1f}%, max {:.1f}%, rms {:.1f}%\n",
      platform, used.size(), A.size(), x[0] * 1e3, x[1] * 1e3, x[2] * 1e3, median(abs_err) * 100,
      *std::max_element(abs_err.begin(), abs_err.end()) * 100, std::sqrt(sq / A.size()) * 100);
  return fit;
}

}  // namespace tessera

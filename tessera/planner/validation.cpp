#include "tessera/planner/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "tessera/planner/simulation.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/validation_io.h"

namespace tessera {

namespace fs = std::filesystem;

SimulationRequest validation_request(const ValidationRow& row, const fs::path& data_dir) {
  SimulationRequest r;
  r.model = row.model;
  r.hardware = row.hardware;
  r.data_dir = data_dir;
  r.deployment.runtime = row.runtime;
  r.enforce_context = false;  // the row was measured at these lengths
  r.deployment.tp = row.tp;
  r.deployment.lnc = row.lnc;
  r.deployment.weight_dtype = parse_dtype(row.weights_dtype).value_or(DType::BF16);
  r.deployment.kv_dtype = parse_dtype(row.kv_dtype).value_or(DType::BF16);
  r.deployment.max_batch = static_cast<int>(row.batch);
  const int64_t n = row.requests > 0 ? row.requests : row.batch;
  if (row.harness == "static-batch") {
    // A static-batch benchmark (AWS Neuron rows) prefills every prompt of the batch
    // before the batch decodes together, so the token cap admits the batch whole.
    r.deployment.max_tokens = std::max<int64_t>(8192, row.batch * row.input);
    r.workload = fmt::format("batch:size={},input={},output={}", row.batch, row.input, row.output);
  } else {
    // A serving benchmark keeps the runtime's scheduler, token budget and admission.
    r.workload = fmt::format("closed:concurrency={},input={},output={},n={}", row.batch, row.input, row.output, n);
  }
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

static Result<ValidationMetrics> predict(const ValidationRow& row, const fs::path& dir, const PlatformOverheads* o,
                                         Fidelity fidelity, std::string* runtime = nullptr) {
  SimulationRequest req = validation_request(row, dir);
  if (o) req.overheads = *o;
  req.fidelity = fidelity;
  auto out = run_simulation(req);
  if (!out) return Error{out.error().kind, fmt::format("validation row '{}': {}", row.label, out.error().message)};
  if (runtime) *runtime = out->deployment.runtime;
  const Summary& s = out->summary;
  return ValidationMetrics{s.output_tokens_per_s, s.ttft.p50 * 1e3, s.tpot.p50 * 1e3,
                           s.ttft.mean * 1e3,     s.tpot.mean * 1e3, s.itl.mean * 1e3};
}

Result<ValidationSetResult> run_validation_set(const fs::path& dir, const std::string& name,
                                               const PlatformOverheads* overheads, Fidelity fidelity,
                                               const std::string& runtime) {
  auto set = load_validation_set(dir, name);
  if (!set) return set.error();
  ValidationSetResult r;
  r.name = set->name;
  r.description = set->description;
  r.threshold_median = set->threshold_median;
  r.threshold_max = set->threshold_max;
  std::array<std::vector<double>, kValidationMetrics> errs;
  std::vector<double> all;
  for (const ValidationRow& row : set->rows) {
    ValidationRowResult rr;
    rr.label = row.label;
    rr.measured = row.measured;
    auto p = predict(row, dir, overheads, fidelity, &rr.runtime);
    if (!p) return p.error();
    if (!runtime.empty() && rr.runtime != runtime) continue;
    for (int k = 0; k < kValidationMetrics; ++k) {
      if (row.measured[k]) rr.predicted[k] = (*p)[k];
      rr.error[k] = rel_error(rr.predicted[k], rr.measured[k]);
      if (rr.error[k]) {
        errs[k].push_back(std::abs(*rr.error[k]));
        all.push_back(std::abs(*rr.error[k]));
      }
    }
    r.rows.push_back(std::move(rr));
  }
  for (int k = 0; k < kValidationMetrics; ++k) {
    if (errs[k].empty()) continue;
    std::string metric = kValidationMetricColumns[k];
    metric = metric == "output_tok_s" ? "throughput" : metric.substr(0, metric.size() - 3);  // drop "_ms"
    r.metrics.push_back({metric, median(errs[k]), *std::max_element(errs[k].begin(), errs[k].end()),
                         static_cast<int>(errs[k].size())});
  }
  r.median_abs = median(all);
  r.max_abs = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  // `--check` (and the validation ctest) gates every metric on both its median and its
  // max |error|: one row far off is a failure, not a footnote.
  r.median_within_target = true;
  r.max_within_target = true;
  for (const auto& m : r.metrics) {
    r.median_within_target = r.median_within_target && m.median_abs <= r.threshold_median;
    r.max_within_target = r.max_within_target && m.max_abs <= r.threshold_max;
  }
  r.passed = r.median_within_target && r.max_within_target;
  return r;
}

namespace {

constexpr int kParams = kOverheadParams;
using Row = OverheadRow;

// Weighted least squares min sum w_r (A_r x - b_r)^2 subject to x >= 0, by trying
// every active set (2^4 subsets) with Gauss-Jordan on the normal equations.
std::array<double, kParams> nnls(const std::vector<Row>& A, const std::vector<double>& b,
                                 const std::vector<double>& w) {
  std::array<double, kParams> best{};
  double best_cost = INFINITY;
  for (int mask = 0; mask < (1 << kParams); ++mask) {
    std::array<int, kParams> idx{};
    int k = 0;
    for (int j = 0; j < kParams; ++j)
      if (mask & (1 << j)) idx[k++] = j;
    double M[kParams][kParams + 1] = {};
    for (size_t r = 0; r < A.size(); ++r)
      for (int p = 0; p < k; ++p) {
        for (int q = 0; q < k; ++q) M[p][q] += w[r] * A[r][idx[p]] * A[r][idx[q]];
        M[p][kParams] += w[r] * A[r][idx[p]] * b[r];
      }
    bool singular = false;
    for (int p = 0; p < k && !singular; ++p) {
      int piv = p;
      for (int q = p + 1; q < k; ++q)
        if (std::abs(M[q][p]) > std::abs(M[piv][p])) piv = q;
      if (std::abs(M[piv][p]) < 1e-300) { singular = true; break; }
      for (int c = 0; c <= kParams; ++c) std::swap(M[p][c], M[piv][c]);
      for (int q = 0; q < k; ++q) {
        if (q == p) continue;
        const double f = M[q][p] / M[p][p];
        for (int c = 0; c <= kParams; ++c) M[q][c] -= f * M[p][c];
      }
    }
    if (singular) continue;
    std::array<double, kParams> x{};
    bool feasible = true;
    for (int p = 0; p < k; ++p) {
      x[idx[p]] = M[p][kParams] / M[p][p];
      if (x[idx[p]] < 0) feasible = false;
    }
    if (!feasible) continue;
    double cost = 0;
    for (size_t r = 0; r < A.size(); ++r) {
      double res = -b[r];
      for (int j = 0; j < kParams; ++j) res += A[r][j] * x[j];
      cost += w[r] * res * res;
    }
    if (cost < best_cost) { best_cost = cost; best = x; }
  }
  return best;
}

}  // namespace

// Least absolute relative error (robust to the few rows no platform-level
// parameter can explain) by iteratively reweighted least squares.
std::array<double, kOverheadParams> nnls_l1(const std::vector<OverheadRow>& A, const std::vector<double>& b) {
  std::vector<double> w(A.size(), 1.0);
  std::array<double, kParams> x{};
  for (int it = 0; it < 30; ++it) {
    x = nnls(A, b, w);
    for (size_t r = 0; r < A.size(); ++r) {
      double res = -b[r];
      for (int j = 0; j < kParams; ++j) res += A[r][j] * x[j];
      w[r] = 1.0 / std::max(std::abs(res), 1e-3);
    }
  }
  return x;
}

namespace {

// The runtime a row was measured with: its `runtime` column, or the default runtime of
// its hardware's platform.
Result<std::string> row_runtime(const Catalog& cat, const ValidationRow& row) {
  if (!row.runtime.empty()) return row.runtime;
  auto s = cat.system(row.hardware);
  if (!s) return s.error();
  auto p = cat.runtime_for("", s->chip);
  if (!p) return p.error();
  return p->name;
}

struct Observations {
  std::vector<Row> A;
  std::vector<double> b;
  int rows = 0;
};

// Observations y = TTFT, TPOT and run time (1/throughput); each is affine in the
// fixed costs theta: y(theta) = y0 + J theta, with J measured by 1 ms finite
// differences (exact for affine maps). Relative units: (y - measured)/measured.
Result<Observations> observe(const fs::path& dir, const PlatformOverheads& base, double eta) {
  const std::string& runtime = base.platform;  // the runtime profile's name
  auto cat = Catalog::open(dir);
  if (!cat) return cat.error();
  Observations obs;
  const Seconds unit = ms(1);
  for (const std::string& name : validation_set_names(dir)) {
    auto set = load_validation_set(dir, name);
    if (!set) return set.error();
    for (const ValidationRow& row : set->rows) {
      auto rt = row_runtime(*cat, row);
      if (!rt) return rt.error();
      if (*rt != runtime) continue;
      std::array<ValidationMetrics, kParams + 1> m;
      for (int k = 0; k <= kParams; ++k) {
        PlatformOverheads o = base;  // buckets, fusion, sequence parallelism: the stack's, not fitted
        o.per_iteration = o.per_sequence = o.per_layer = o.per_collective = o.per_prefill_iteration = Seconds(0);
        o.source = "calibration probe";
        o.tensor_efficiency = eta;
        if (k == 1) o.per_iteration = unit;
        if (k == 2) o.per_layer = unit;
        if (k == 3) o.per_collective = unit;
        if (k == 4) o.per_prefill_iteration = unit;
        if (k == 5) o.per_sequence = unit;
        auto p = predict(row, dir, &o, Fidelity::Auto);
        if (!p) return p.error();
        m[k] = *p;
      }
      auto add = [&](std::optional<double> meas, auto get) {
        if (!meas || *meas <= 0) return;
        const double y0 = get(m[0]);
        Row a{};
        for (int j = 0; j < kParams; ++j) a[j] = (get(m[j + 1]) - y0) / (unit.value() * 1e3) / *meas;
        obs.A.push_back(a);
        obs.b.push_back((*meas - y0) / *meas);
      };
      // Throughput enters as run time per token (1/throughput), affine in the costs.
      if (row.measured[0])
        add(std::optional<double>(1e3 / *row.measured[0]), [](const ValidationMetrics& v) { return 1e3 / *v[0]; });
      for (int k = 1; k < kValidationMetrics; ++k)
        add(row.measured[k], [k](const ValidationMetrics& v) { return *v[k]; });
      ++obs.rows;
    }
  }
  if (obs.A.empty())
    return bad_input(fmt::format("--runtime: no validation rows measured with runtime '{}' (data/validation/*.csv, "
                                 "column 'runtime')", runtime));
  return obs;
}

std::vector<double> residuals(const Observations& o, const std::array<double, kParams>& x) {
  std::vector<double> r;
  for (size_t i = 0; i < o.A.size(); ++i) {
    double res = -o.b[i];
    for (int j = 0; j < kParams; ++j) res += o.A[i][j] * x[j];
    r.push_back(std::abs(res));
  }
  return r;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

}  // namespace

Result<OverheadFit> fit_runtime_costs(const fs::path& dir, const std::string& runtime) {
  auto cat = Catalog::open(dir);
  if (!cat) return cat.error();
  auto profile = cat->runtime(runtime);
  if (!profile) return Error{profile.error().kind, "--runtime: " + profile.error().message};
  // The tensor efficiency enters non-linearly (through each op's critical path),
  // so it is searched on a grid; the fixed costs are solved exactly at each point.
  // NVIDIA's kernel efficiency is already fitted to measured kernel tables
  // (data/calibration/nvidia), so only compiler-generated (Neuron) kernels fit it here.
  const bool neuron = std::find(profile->platforms.begin(), profile->platforms.end(), "neuron") !=
                      profile->platforms.end();
  std::vector<double> etas{1.0};
  if (neuron)
    for (int i = 19; i >= 2; --i) etas.push_back(i * 0.05);
  PlatformOverheads* base = &profile->costs;
  double best_score = INFINITY, best_eta = 1.0;
  std::array<double, kParams> best_x{};
  Observations best_obs;
  for (double eta : etas) {
    auto obs = observe(dir, *base, eta);
    if (!obs) return obs.error();
    const auto x = nnls_l1(obs->A, obs->b);
    const double score = mean(residuals(*obs, x));
    if (score < best_score) {
      best_score = score;
      best_eta = eta;
      best_x = x;
      best_obs = std::move(*obs);
    }
  }
  OverheadFit fit;
  PlatformOverheads& o = fit.overheads;
  o = *base;
  o.per_iteration = ms(best_x[0]);
  o.per_layer = ms(best_x[1]);
  o.per_collective = ms(best_x[2]);
  o.per_prefill_iteration = ms(best_x[3]);
  o.per_sequence = ms(best_x[4]);
  o.tensor_efficiency = best_eta;
  o.source = fmt::format("tessera calibrate --runtime {} --write: least absolute relative error of the measured "
                         "TTFT, TPOT, ITL and run time over {} rows of data/validation measured with {} (fixed costs "
                         "non-negative, exact per grid point; tensor efficiency on a 0.05 grid)",
                         runtime, best_obs.rows, runtime);
  const std::vector<double> r = residuals(best_obs, best_x);
  fit.report = fmt::format(
      "runtime {}: {} rows, {} observations\n"
      "per_iteration = {:.2f} us, per_layer = {:.3f} us, per_collective = {:.3f} us, per_prefill_iteration = {:.2f} us, "
      "per_sequence = {:.3f} us, tensor_efficiency = {:.2f}\n"
      "fit residual (relative, on TTFT/TPOT/run time): median {:.1f}%, mean {:.1f}%, max {:.1f}%\n",
      runtime, best_obs.rows, best_obs.A.size(), best_x[0] * 1e3, best_x[1] * 1e3, best_x[2] * 1e3, best_x[3] * 1e3,
      best_x[4] * 1e3, best_eta, median(r) * 100, mean(r) * 100, *std::max_element(r.begin(), r.end()) * 100);
  return fit;
}

Result<std::vector<ValidationSetResult>> run_validation(const std::filesystem::path& data_dir, const std::string& set,
                                                        const std::string& fidelity_text, const std::string& runtime) {
  const std::vector<std::string> names = validation_set_names(data_dir);
  std::vector<std::string> sets = names;
  if (!set.empty()) {
    if (std::find(names.begin(), names.end(), set) == names.end())
      return bad_input(fmt::format("--set: unknown validation set '{}'{}", set, did_you_mean_set(set, names)));
    sets = {set};
  }
  const auto fidelity = fidelity_option("--fidelity", fidelity_text);
  if (!fidelity) return fidelity.error();
  if (!runtime.empty()) {
    auto cat = Catalog::open(data_dir);
    if (!cat) return cat.error();
    if (auto p = cat->runtime(runtime); !p) return Error{p.error().kind, "--runtime: " + p.error().message};
  }
  std::vector<ValidationSetResult> out;
  for (const std::string& s : sets) {
    auto r = run_validation_set(data_dir, s, nullptr, *fidelity, runtime);
    if (!r) return r.error();
    if (!runtime.empty() && r->rows.empty()) continue;  // no row of this set was measured with `runtime`
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace tessera

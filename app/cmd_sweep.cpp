// tessera sweep: one simulation per point of a grid (grid.yaml), on every core and,
// under mpirun, on every rank; results in an SQLite file (table `runs`) and CSV.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "app/cli.h"
#include "app/mpi_cluster.h"
#include "app/progress.h"
#include "app/simulate_options.h"
#include "tessera/planner/sweep.h"
#include "tessera/report/html_sweep.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera::app {

namespace {

struct SweepArgs {
  std::string grid, out = "results.sqlite", csv, report;
  int jobs = 0;
  bool quiet = false;
};

// The option names a grid may use: those of `simulate`, without the dashes.
std::vector<std::string> sweepable_keys() {
  SimulateOptions o;
  CLI::App proto;
  add_simulate_options(&proto, o);
  std::vector<std::string> keys;
  const auto& out = simulate_output_options();
  for (const CLI::Option* opt : proto.get_options())
    for (const std::string& l : opt->get_lnames())
      if (l != "help" && std::find(out.begin(), out.end(), l) == out.end()) keys.push_back(l);
  return keys;
}

std::vector<std::string> reserved_keys() {
  std::vector<std::string> r = simulate_output_options();
  for (const char* k : {"out", "json", "explain-memory"}) r.emplace_back(k);
  return r;
}

std::string describe(const GridPoint& p) {
  std::string s;
  for (const auto& [k, v] : p) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s;
}

// The `simulate` mapping of one grid point; thread-safe (its own parser and options).
Result<SimulationRequest> build_request(const GridPoint& point) {
  SimulateOptions o;
  CLI::App parser;
  add_simulate_options(&parser, o);
  std::vector<std::string> args;
  for (auto it = point.rbegin(); it != point.rend(); ++it) args.push_back("--" + it->first + "=" + it->second);
  try {
    parser.parse(args);  // CLI11 takes the arguments in reverse order
  } catch (const CLI::ParseError& e) {
    return bad_input(e.what());
  }
  TESSERA_TRY(resolve_simulate_options(o));
  return std::move(o.req);
}

// Every point must map onto a request, and every model and hardware name must
// resolve: a typo fails the sweep before it starts, naming the grid file.
Status validate_grid(const GridSpec& grid) {
  std::set<std::string> models, systems;
  for (int64_t i = 0; i < grid.size(); ++i) {
    const GridPoint p = grid.at(i);
    auto req = build_request(p);
    if (!req) return bad_input(fmt::format("{}: run {} ({}): {}", grid.file, i, describe(p), req.error().message));
    // The workload SPEC is otherwise parsed only when the point runs (a bad_input row).
    if (auto w = parse_workload(req->workload); !w)
      return bad_input(fmt::format("{}: run {} ({}): {}", grid.file, i, describe(p), w.error().message));
    models.insert(req->model);
    systems.insert(req->hardware);
  }
  auto catalog = Catalog::open(Catalog::default_data_dir());
  if (!catalog) return catalog.error();
  for (const std::string& m : models)
    if (auto r = catalog->model(m); !r) return bad_input(fmt::format("{}: model: {}", grid.file, r.error().message));
  for (const std::string& h : systems)
    if (auto r = catalog->system(h); !r)
      return bad_input(fmt::format("{}: hardware: {}", grid.file, r.error().message));
  return {};
}

int default_jobs(const Cluster& cluster) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / cluster.local_size());
}

// Rank 0's plan, sent to every rank: "E<exit code>\n<message>" or "T<index> <index> ...".
std::string encode_plan(const Result<std::vector<int64_t>>& todo) {
  if (!todo) return fmt::format("E{}\n{}", exit_code(todo.error()), todo.error().message);
  std::string s = "T";
  for (int64_t i : *todo) s += std::to_string(i) + " ";
  return s;
}

Result<std::vector<int64_t>> decode_plan(const std::string& s) {
  if (s.empty()) return internal_error("sweep: empty plan from rank 0");
  if (s[0] == 'E') {
    const size_t nl = s.find('\n');
    const int code = std::atoi(s.c_str() + 1);
    const std::string msg = s.substr(nl + 1);
    return Error{code == kInfeasible ? ErrorKind::Infeasible : code == kBadInput ? ErrorKind::BadInput
                                                                                 : ErrorKind::Internal,
                 msg};
  }
  std::vector<int64_t> out;
  const char* p = s.c_str() + 1;
  char* end = nullptr;
  for (long long v = std::strtoll(p, &end, 10); end != p; v = std::strtoll(p, &end, 10)) {
    out.push_back(v);
    p = end;
  }
  return out;
}

// Rank 0 writes rows to the store in transactions of up to a second's worth.
class RowWriter {
 public:
  explicit RowWriter(ResultsStore* store) : store_(store) {}
  Status add(ResultRow&& row) {
    if (const auto* s = std::get_if<std::string>(&row[status_col_]); s && *s != "ok") ++failed_;
    pending_.push_back(std::move(row));
    ++written_;
    return maybe_flush(false);
  }
  Status maybe_flush(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (pending_.empty() || (!force && pending_.size() < 1024 && now - last_ < std::chrono::seconds(1))) return {};
    last_ = now;
    TESSERA_TRY(store_->append(pending_));
    pending_.clear();
    return {};
  }
  void set_status_column(size_t c) { status_col_ = c; }
  int64_t written() const { return written_; }
  int64_t failed() const { return failed_; }

 private:
  ResultsStore* store_;
  std::vector<ResultRow> pending_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  size_t status_col_ = 0;
  int64_t written_ = 0, failed_ = 0;
};

// Every row of the results file (this run's and earlier ones) as an HTML report.
Status write_sweep_report(const SweepArgs& a, const ResultsStore& store) {
  auto rows = store.rows();
  if (!rows) return rows.error();
  SweepReportInput in;
  in.title = a.grid;
  in.columns = store.columns();
  in.rows = std::move(*rows);
  // grid_index, key, then the grid keys up to "status" (sweep_columns)
  for (size_t i = 2; i < in.columns.size() && in.columns[i].name != "status"; ++i) in.inputs.push_back(in.columns[i].name);
  in.metrics = sweep_metric_names();
  auto html = sweep_report_html(in, version());
  if (!html) return html.error();
  return write_file_atomic(a.report, *html, "--report");
}

int finish(Cluster& cluster, int code) {
  // Every rank leaves with rank 0's verdict.
  std::string c = std::to_string(code);
  cluster.broadcast(c);
  return std::atoi(c.c_str());
}

int run(const SweepArgs& a) {
  auto joined = Cluster::join();
  if (!joined) return report_error(joined.error());
  Cluster& cluster = **joined;
  // Output paths first: a sweep must not run for hours to fail at its last write.
  Status outputs = distinct_outputs({{"--out", a.out}, {"--csv", a.csv}, {"--report", a.report}});
  if (outputs) outputs = check_output_path(a.csv, "--csv");
  if (outputs) outputs = check_output_path(a.report, "--report");
  if (!outputs) return cluster.root() ? finish(cluster, report_error(outputs.error())) : finish(cluster, 0);
  auto grid = load_grid(a.grid, sweepable_keys(), reserved_keys());
  if (!grid) return cluster.root() ? finish(cluster, report_error(grid.error())) : finish(cluster, 0);
  if (Status s = validate_grid(*grid); !s)
    return cluster.root() ? finish(cluster, report_error(s.error())) : finish(cluster, 0);
  if (a.jobs < 0) return finish(cluster, cluster.root() ? report_error(bad_input(fmt::format("--jobs: '{}' must be >= 1", a.jobs))) : 0);
  const auto columns = sweep_columns(*grid);

  // Rank 0 opens the store and decides which runs are missing from it.
  std::unique_ptr<ResultsStore> store;
  std::string plan;
  int64_t skipped = 0;
  if (cluster.root()) {
    Result<std::vector<int64_t>> todo = [&]() -> Result<std::vector<int64_t>> {
      auto s = ResultsStore::open(a.out, columns);
      if (!s) return s.error();
      store = std::move(*s);
      auto keys = store->keys();
      if (!keys) return keys.error();
      std::vector<int64_t> out;
      for (int64_t i = 0; i < grid->size(); ++i) {
        if (keys->count(canonical_key(grid->at(i)))) ++skipped;
        else out.push_back(i);
      }
      return out;
    }();
    plan = encode_plan(todo);
  }
  cluster.broadcast(plan);
  auto todo = decode_plan(plan);
  if (!todo) return finish(cluster, cluster.root() ? report_error(todo.error()) : 0);

  std::vector<int64_t> mine;
  for (size_t i = static_cast<size_t>(cluster.rank()); i < todo->size(); i += static_cast<size_t>(cluster.size()))
    mine.push_back((*todo)[i]);

  const bool tty = isatty(STDERR_FILENO) == 1;
  SweepProgress progress(static_cast<int64_t>(todo->size()), cluster.root() && !a.quiet, tty);
  RowWriter writer(store.get());
  const auto status_it = std::find_if(columns.begin(), columns.end(), [](const auto& c) { return c.name == "status"; });
  writer.set_status_column(static_cast<size_t>(status_it - columns.begin()));
  std::vector<ResultRow> outbox;  // non-root: rows not yet sent to rank 0

  auto take_remote = [&](bool wait) -> Status {
    for (const std::string& bytes : cluster.receive(wait)) {
      auto rows = decode_rows(bytes);
      if (!rows) return rows.error();
      for (ResultRow& r : *rows) TESSERA_TRY(writer.add(std::move(r)));
    }
    return {};
  };
  SweepRunOptions opts;
  opts.jobs = a.jobs > 0 ? a.jobs : default_jobs(cluster);
  opts.poll = [&]() -> Status {
    if (cluster.root()) {
      TESSERA_TRY(take_remote(false));
      TESSERA_TRY(writer.maybe_flush(false));
      progress.update(writer.written());
    } else if (!outbox.empty()) {
      cluster.send_to_root(encode_rows(outbox));
      outbox.clear();
    }
    return {};
  };
  auto sink = [&](int64_t, ResultRow&& row) -> Status {
    if (cluster.root()) return writer.add(std::move(row));
    outbox.push_back(std::move(row));
    return {};
  };
  Status ran = run_sweep(*grid, mine, build_request, sink, opts);
  if (!cluster.root()) {
    if (!outbox.empty()) cluster.send_to_root(encode_rows(outbox));
    cluster.send_done();
    return finish(cluster, 0);
  }
  while (ran && !cluster.all_done()) {
    ran = take_remote(true);
    progress.update(writer.written());
  }
  if (ran) ran = writer.maybe_flush(true);
  progress.finish(writer.written());
  if (!ran) return finish(cluster, report_error(ran.error()));
  if (!a.csv.empty()) {
    auto rows = store->rows();
    if (!rows) return finish(cluster, report_error(rows.error()));
    if (Status s = write_text_file_atomic(a.csv, csv_text(store->columns(), *rows), "--csv"); !s)
      return finish(cluster, report_error(s.error()));
  }
  if (!a.report.empty())
    if (Status s = write_sweep_report(a, *store); !s) return finish(cluster, report_error(s.error()));
  if (!a.quiet) {
    std::cerr << fmt::format("sweep: {} runs ({} failed), {} already in '{}'; {} rank(s) x {} thread(s)\n",
                             writer.written(), writer.failed(), skipped, a.out, cluster.size(), opts.jobs);
  }
  return finish(cluster, kOk);
}

}  // namespace

Command add_sweep(CLI::App& root) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* c = root.add_subcommand(
      "sweep", "Run a grid of simulations (grid.yaml: simulate option -> value or list) on all cores or MPI ranks");
  c->add_option("--grid", args->grid, "grid file: each simulate option (without --) mapped to a value or a list")
      ->required();
  c->add_option("--out", args->out, "SQLite results file (table 'runs'); runs already in it are skipped")
      ->capture_default_str();
  c->add_option("--csv", args->csv, "also write every row of the results file as CSV");
  c->add_option("--report", args->report,
                "also write a self-contained HTML report: sortable table, any metric against any swept input");
  c->add_option("--jobs,-j", args->jobs, "worker threads per process (default: cores / ranks on this machine)");
  c->add_flag("--quiet,-q", args->quiet, "no progress or summary on stderr");
  return {c, [args] { return run(*args); }};
}

}  // namespace tessera::app

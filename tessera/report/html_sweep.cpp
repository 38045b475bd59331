#include "tessera/report/html_sweep.h"

#include <fmt/format.h>

#include <algorithm>

#include "tessera/report/chartjs_data.h"
#include "tessera/report/html_simulate.h"

namespace tessera {

namespace {

std::optional<double> numeric(const Cell& c) {
  if (const auto* i = std::get_if<int64_t>(&c)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&c)) return *d;
  return std::nullopt;
}

std::optional<size_t> column_index(const std::vector<ResultColumn>& cols, const std::string& name) {
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == name) return i;
  return std::nullopt;
}

// A column is plottable when at least one row has a number in it.
bool plottable(const SweepReportInput& in, size_t col) {
  return std::any_of(in.rows.begin(), in.rows.end(),
                     [&](const ResultRow& r) { return col < r.size() && numeric(r[col]).has_value(); });
}

// True when the rows hold more than one value in the column: a swept input.
bool varies(const SweepReportInput& in, size_t col) {
  if (in.rows.empty() || col >= in.rows.front().size()) return false;
  const std::string first = cell_text(in.rows.front()[col]);
  return std::any_of(in.rows.begin(), in.rows.end(),
                     [&](const ResultRow& r) { return col < r.size() && cell_text(r[col]) != first; });
}

// The table's column order: the inputs that vary, then the metrics, then the status,
// then the rest (inputs with one value, the key, the grid index). A grid that sets
// dozens of simulate options would otherwise push every metric off-screen.
std::vector<size_t> column_order(const SweepReportInput& in) {
  std::vector<size_t> order;
  auto take = [&](size_t i) {
    if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
  };
  for (const auto& n : in.inputs)
    if (auto i = column_index(in.columns, n); i && varies(in, *i)) take(*i);
  for (const auto& n : in.metrics)
    if (auto i = column_index(in.columns, n)) take(*i);
  if (auto i = column_index(in.columns, "status")) take(*i);
  for (size_t i = 0; i < in.columns.size(); ++i) take(i);
  return order;
}

HtmlTable rows_table(const SweepReportInput& in) {
  HtmlTable t;
  t.caption = "Every run: swept inputs, then metrics, then the fixed inputs (click a header to sort; unknown values "
              "sort last)";
  t.sortable = true;
  const std::vector<size_t> order = column_order(in);
  for (size_t i : order) t.columns.push_back(in.columns[i].name);
  for (const ResultRow& r : in.rows) {
    std::vector<HtmlCell> cells;
    for (size_t i : order) {
      const Cell& c = i < r.size() ? r[i] : Cell{};
      const auto v = numeric(c);
      cells.push_back(v ? HtmlCell(cell_text(c), *v) : HtmlCell(cell_text(c)));
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

}  // namespace

HtmlPage sweep_report_page(const SweepReportInput& in, const std::string& version) {
  int64_t ok = 0;
  const auto status = column_index(in.columns, "status");
  for (const ResultRow& r : in.rows)
    if (status && *status < r.size() && cell_text(r[*status]) == "ok") ++ok;
  HtmlPage page(fmt::format("Sweep: {}", in.title),
                fmt::format("tessera sweep: {} runs, {} ok", in.rows.size(), ok));
  page.add_section("Explore");
  ChartExplorer e;
  e.title = "Any metric against any swept input";
  for (const auto& c : in.columns) e.columns.push_back(c.name);
  const auto key = column_index(in.columns, "key");
  for (const ResultRow& r : in.rows) {
    std::vector<std::optional<double>> row;
    for (size_t i = 0; i < in.columns.size(); ++i) row.push_back(i < r.size() ? numeric(r[i]) : std::nullopt);
    e.rows.push_back(std::move(row));
    e.row_labels.push_back(key && *key < r.size() ? cell_text(r[*key]) : "");
  }
  for (const auto& n : in.inputs)
    if (auto i = column_index(in.columns, n); i && plottable(in, *i)) e.x_choices.push_back(*i);
  for (const auto& n : in.metrics)
    if (auto i = column_index(in.columns, n); i && plottable(in, *i)) {
      e.x_choices.push_back(*i);
      e.y_choices.push_back(*i);
    }
  if (e.x_choices.empty() || e.y_choices.empty()) {
    page.add_paragraph("No run produced a number to plot.");
  } else {
    auto pick = [&](const std::string& want, const std::vector<size_t>& from, size_t fallback) {
      if (auto i = column_index(in.columns, want); i && std::find(from.begin(), from.end(), *i) != from.end()) return *i;
      return fallback;
    };
    e.x = pick(in.default_x, e.x_choices, e.x_choices.front());
    e.y = pick(in.default_y.empty() ? "output_tokens_per_s" : in.default_y, e.y_choices, e.y_choices.front());
    page.add_explorer(e);
  }
  page.add_section("Runs");
  page.add_table(rows_table(in));
  return page;
}

Result<std::string> sweep_report_html(const SweepReportInput& in, const std::string& version) {
  return sweep_report_page(in, version).render(chartjs_source(), report_footer(version));
}

}  // namespace tessera

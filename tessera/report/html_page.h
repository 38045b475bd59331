// A self-contained HTML page of sections, key/value lists, tables and charts: the
// generic builder behind every `--report FILE.html` (simulate, plan, sweep). A
// report is a sequence of add_*() calls; render() writes one file with the charting
// library inlined (no network access), the chart specs as JSON, and a small script
// that draws them with Chart.js, sorts tables and drives "explorer" charts (any
// column against any other). Output is deterministic: same calls, same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/status.h"

namespace tessera {

// One line or set of points. `x` may be empty for bar charts (values per category).
struct ChartSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<std::string> point_labels;  // tooltips of scatter points (optional)
  bool dashed = false;                    // reference lines (SLO targets, fronts)
};

enum class ChartKind {
  Line,         // x-y lines
  Step,         // x-y stepped lines (CDFs)
  Scatter,      // x-y points
  StackedBarH,  // horizontal stacked bars: one bar per category, one stack part per series
};

struct ChartSpec {
  std::string title;
  ChartKind kind = ChartKind::Line;
  std::string x_label, y_label;
  bool x_log = false;
  std::optional<double> y_min, y_max;
  std::optional<double> x_max;          // x-y charts: clip the axis (default: fit every point)
  std::vector<std::string> categories;  // StackedBarH: bar names, every one labelled
  std::vector<ChartSeries> series;
};

// A table cell: the text shown, and a number to sort by (else the text sorts).
struct HtmlCell {
  std::string text;
  std::optional<double> sort;
  HtmlCell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit by design
  HtmlCell(const char* t) : text(t) {}             // NOLINT: implicit by design
  HtmlCell(std::string t, double key) : text(std::move(t)), sort(key) {}
};

struct HtmlTable {
  std::string caption;
  std::vector<std::string> columns;
  std::vector<std::vector<HtmlCell>> rows;
  bool sortable = false;  // click a header to sort by it
};

// A scatter of any numeric column against any other, chosen in the page with two
// drop-downs (sweeps: a metric against a swept input).
struct ChartExplorer {
  std::string title;
  std::vector<std::string> columns;                      // names, with units
  std::vector<std::vector<std::optional<double>>> rows;  // null = unknown (not plotted)
  std::vector<std::string> row_labels;                   // tooltips
  std::vector<size_t> x_choices, y_choices;              // column indices offered
  size_t x = 0, y = 0;                                   // initially shown
};

class HtmlPage {
 public:
  HtmlPage(std::string title, std::string subtitle);

  void add_section(const std::string& heading);
  void add_paragraph(const std::string& text);
  void add_key_values(const std::vector<std::pair<std::string, std::string>>& items);
  void add_table(const HtmlTable& table);
  void add_chart(const ChartSpec& chart);
  void add_chart_grid(const std::vector<ChartSpec>& charts);  // side by side where the page is wide
  void add_explorer(const ChartExplorer& explorer);
  void add_list(const std::vector<std::string>& items, const char* css_class = "");

  [[nodiscard]] size_t chart_count() const { return charts_.size(); }

  // The whole document. Bad input when `chart_library` is empty (no library to inline).
  [[nodiscard]] Result<std::string> render(std::string_view chart_library, const std::string& footer) const;

 private:
  void close_section();
  std::string title_, subtitle_;
  std::string body_;
  std::vector<std::string> charts_;  // JSON of each chart spec, in page order
  bool in_section_ = false;
};

std::string html_escape(std::string_view text);

// Rounds to `digits` significant digits (short JSON; charts need no more). Non-finite
// values pass through (the chart JSON turns them into null).
double round_sig(double v, int digits = 6);

// Up to `points` (x, F(x)) pairs of the empirical CDF of `values` (sorted in place):
// the exact order statistics at evenly spaced ranks, first and last included.
ChartSeries cdf_series(std::string label, std::vector<double>& values, double scale, size_t points = 200);

}  // namespace tessera

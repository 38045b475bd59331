// The HTML report of `tessera sweep --report FILE.html`: the grid's rows as a
// sortable table, and an explorer chart of any metric against any swept input (or
// any other metric), chosen in the page.
#pragma once

#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/report/html_page.h"
#include "tessera/specs/io/results_store.h"

namespace tessera {

struct SweepReportInput {
  std::string title;                 // e.g. the grid file
  std::vector<ResultColumn> columns;
  std::vector<ResultRow> rows;
  std::vector<std::string> inputs;   // column names of the swept keys
  std::vector<std::string> metrics;  // column names of the metrics
  std::string default_x, default_y;  // initially plotted (empty: the first numeric input, output tokens/s)
};

HtmlPage sweep_report_page(const SweepReportInput& in, const std::string& version);
Result<std::string> sweep_report_html(const SweepReportInput& in, const std::string& version);

}  // namespace tessera

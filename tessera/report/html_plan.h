// The HTML report of `tessera plan --report FILE.html`: inputs, the Pareto chart
// (cost per million output tokens against p99 E2E latency, every feasible
// deployment by hardware, the front dashed), output tokens per chip of the
// cheapest, the cheapest table (sortable), the hardware comparison and the fleet
// when asked for, and every assumption.
#pragma once

#include <string>

#include "tessera/core/status.h"
#include "tessera/report/html_page.h"
#include "tessera/report/plan_report.h"

namespace tessera {

HtmlPage plan_report_page(const PlanReport& r, const std::string& version);
Result<std::string> plan_report_html(const PlanReport& r, const std::string& version);

}  // namespace tessera

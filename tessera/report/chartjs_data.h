// The charting library HTML reports inline: Chart.js (MIT) from Debian's
// libjs-chart.js, embedded at build time by cmake/TesseraChartJs.cmake. Empty when
// the package was not installed at configure time.
#pragma once

#include <string_view>

namespace tessera {

std::string_view chartjs_source();

}  // namespace tessera

# The HTML reports inline Chart.js from Debian's libjs-chart.js (installed by
# scripts/install-deps.sh): the UMD build, which defines the global `Chart`. It is
# embedded at build time (cmake/EmbedText.cmake) into tessera_report as
# chartjs_source(); without the package the build still succeeds and --report says
# the library is missing.
find_file(TESSERA_CHARTJS NAMES chart.umd.min.js chart.umd.js chart.min.js
          PATHS /usr/share/javascript/chart.js NO_DEFAULT_PATH
          DOC "Chart.js UMD build inlined into HTML reports")
set(_chartjs_in "${TESSERA_CHARTJS}")
if(NOT TESSERA_CHARTJS)
  message(WARNING "libjs-chart.js not found (run scripts/install-deps.sh): --report will be unavailable")
  set(_chartjs_in "")
endif()
set(_chartjs_cpp ${CMAKE_BINARY_DIR}/generated/chartjs_data.cpp)
add_custom_command(
  OUTPUT ${_chartjs_cpp}
  COMMAND ${CMAKE_COMMAND} -DIN=${_chartjs_in} -DOUT=${_chartjs_cpp} -DNAME=chartjs_source
          -DHEADER=tessera/report/chartjs_data.h -P ${CMAKE_SOURCE_DIR}/cmake/EmbedText.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/cmake/EmbedText.cmake ${_chartjs_in}
  COMMENT "Embedding Chart.js for HTML reports"
  VERBATIM)
target_sources(tessera_report PRIVATE ${_chartjs_cpp})

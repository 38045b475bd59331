#include "tessera/report/html_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "tessera/report/html_assets.h"

namespace tessera {

namespace {

using ojson = nlohmann::ordered_json;

ojson number(double v) { return std::isfinite(v) ? ojson(round_sig(v)) : ojson(nullptr); }

ojson points(const ChartSeries& s) {
  ojson pts = ojson::array();
  for (size_t i = 0; i < s.y.size(); ++i) {
    if (s.x.empty()) {
      pts.push_back(number(s.y[i]));
    } else if (i < s.x.size() && std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
      pts.push_back(ojson::array({number(s.x[i]), number(s.y[i])}));
    }
  }
  return pts;
}

const char* kind_name(ChartKind k) {
  switch (k) {
    case ChartKind::Line: return "line";
    case ChartKind::Step: return "step";
    case ChartKind::Scatter: return "scatter";
    case ChartKind::StackedBarH: return "hbar";
  }
  return "line";
}

ojson chart_json(const ChartSpec& c) {
  ojson series = ojson::array();
  for (const ChartSeries& s : c.series) {
    ojson j{{"label", s.label}, {"points", points(s)}};
    if (!s.point_labels.empty()) j["labels"] = s.point_labels;
    if (s.dashed) j["dashed"] = true;
    series.push_back(std::move(j));
  }
  ojson j{{"kind", kind_name(c.kind)}, {"title", c.title}, {"x", c.x_label}, {"y", c.y_label}};
  if (c.x_log) j["xlog"] = true;
  if (c.y_min) j["ymin"] = *c.y_min;
  if (c.y_max) j["ymax"] = *c.y_max;
  if (c.x_max) j["xmax"] = *c.x_max;
  if (!c.categories.empty()) j["categories"] = c.categories;
  j["series"] = std::move(series);
  return j;
}

// Inside <script type="application/json">: "</" would end the element.
std::string script_safe(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && (json[i + 1] == '/' || json[i + 1] == '!')) {
      out += "\\u003c";
    } else {
      out += json[i];
    }
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double round_sig(double v, int digits) {
  if (!std::isfinite(v) || v == 0) return v;
  const double mag = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * mag) / mag;
}

ChartSeries cdf_series(std::string label, std::vector<double>& values, double scale, size_t points) {
  ChartSeries s;
  s.label = std::move(label);
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n == 0 || points == 0) return s;
  const size_t k = std::min(n, std::max<size_t>(points, 2));
  for (size_t i = 0; i < k; ++i) {
    // rank r (0-based) of k evenly spaced over [0, n-1]
    const size_t r = k == 1 ? n - 1 : (i * (n - 1) + (k - 1) / 2) / (k - 1);
    s.x.push_back(values[r] * scale);
    s.y.push_back(static_cast<double>(r + 1) / static_cast<double>(n));
  }
  return s;
}

HtmlPage::HtmlPage(std::string title, std::string subtitle) : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

void HtmlPage::close_section() {
  if (in_section_) body_ += "</section>\n";
  in_section_ = false;
}

void HtmlPage::add_section(const std::string& heading) {
  close_section();
  body_ += fmt::format("<section>\n<h2>{}</h2>\n", html_escape(heading));
  in_section_ = true;
}

void HtmlPage::add_paragraph(const std::string& text) { body_ += fmt::format("<p>{}</p>\n", html_escape(text)); }

void HtmlPage::add_key_values(const std::vector<std::pair<std::string, std::string>>& items) {
  body_ += "<dl class=\"kv\">\n";
  for (const auto& [k, v] : items) body_ += fmt::format("<dt>{}</dt><dd>{}</dd>\n", html_escape(k), html_escape(v));
  body_ += "</dl>\n";
}

void HtmlPage::add_list(const std::vector<std::string>& items, const char* css_class) {
  body_ += fmt::format("<ul class=\"{}\">\n", css_class);
  for (const auto& i : items) body_ += fmt::format("<li>{}</li>\n", html_escape(i));
  body_ += "</ul>\n";
}

void HtmlPage::add_table(const HtmlTable& t) {
  body_ += fmt::format("<table{}>\n", t.sortable ? " class=\"sortable\"" : "");
  if (!t.caption.empty()) body_ += fmt::format("<caption>{}</caption>\n", html_escape(t.caption));
  body_ += "<thead><tr>";
  for (const auto& c : t.columns) body_ += fmt::format("<th>{}</th>", html_escape(c));
  body_ += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    body_ += "<tr>";
    for (const HtmlCell& c : row) {
      if (c.sort && std::isfinite(*c.sort)) {
        body_ += fmt::format("<td class=\"num\" data-sort=\"{}\">{}</td>", round_sig(*c.sort, 9), html_escape(c.text));
      } else {
        body_ += fmt::format("<td>{}</td>", html_escape(c.text));
      }
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody>\n</table>\n";
}

void HtmlPage::add_chart(const ChartSpec& chart) {
  // A bar chart grows with its bars so that every bar keeps a readable label.
  const size_t bars = chart.kind == ChartKind::StackedBarH ? chart.categories.size() : 0;
  const std::string style = bars > 8 ? fmt::format(" style=\"height: {}px\"", 80 + 28 * bars) : "";
  body_ += fmt::format(
      "<figure class=\"chart\"><div class=\"canvas\"{}><canvas id=\"chart-{}\"></canvas></div></figure>\n", style,
      charts_.size());
  charts_.push_back(chart_json(chart).dump());
}

void HtmlPage::add_chart_grid(const std::vector<ChartSpec>& charts) {
  body_ += "<div class=\"charts\">\n";
  for (const ChartSpec& c : charts) add_chart(c);
  body_ += "</div>\n";
}

void HtmlPage::add_explorer(const ChartExplorer& e) {
  ojson rows = ojson::array();
  for (const auto& r : e.rows) {
    ojson row = ojson::array();
    for (const auto& v : r) row.push_back(v ? number(*v) : ojson(nullptr));
    rows.push_back(std::move(row));
  }
  ojson j{{"kind", "explorer"}, {"title", e.title}, {"columns", e.columns}, {"rows", rows},
          {"labels", e.row_labels}, {"xs", e.x_choices}, {"ys", e.y_choices}, {"x", e.x}, {"y", e.y}};
  body_ += fmt::format(
      "<figure class=\"chart explorer\"><div class=\"controls\" id=\"controls-{0}\"></div>"
      "<div class=\"canvas\"><canvas id=\"chart-{0}\"></canvas></div></figure>\n",
      charts_.size());
  charts_.push_back(j.dump());
}

Result<std::string> HtmlPage::render(std::string_view chart_library, const std::string& footer) const {
  if (chart_library.empty()) {
    return bad_input(
        "--report: this build has no charting library to inline (install Debian's libjs-chart.js with "
        "scripts/install-deps.sh and reconfigure)");
  }
  std::string charts = "[";
  for (size_t i = 0; i < charts_.size(); ++i) charts += (i ? ",\n" : "\n") + charts_[i];
  charts += "\n]";
  std::string out;
  out.reserve(chart_library.size() + body_.size() + charts.size() + 16384);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n", html_escape(title_), kReportCss);
  out += fmt::format("<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n<main>\n", html_escape(title_),
                     html_escape(subtitle_));
  out += body_;
  if (in_section_) out += "</section>\n";
  out += fmt::format("</main>\n<footer>{}</footer>\n", html_escape(footer));
  out += "<script>\n";
  out += chart_library;
  out += "\n</script>\n<script type=\"application/json\" id=\"tessera-charts\">";
  out += script_safe(charts);
  out += "</script>\n<script>\n";
  out += kReportJs;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace tessera

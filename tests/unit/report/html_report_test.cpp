#include <gtest/gtest.h>

#include <numeric>

#include "tessera/report/chartjs_data.h"
#include "tessera/report/html_page.h"
#include "tessera/report/html_simulate.h"
#include "tessera/report/html_timeline.h"

namespace tessera {
namespace {

TEST(HtmlPage, CdfSeriesTakesExactOrderStatisticsAtEvenRanks) {
  std::vector<double> v{5, 1, 4, 2, 3};
  ChartSeries s = cdf_series("x", v, 10.0, 3);  // ranks 0, 2, 4 of the sorted values
  EXPECT_EQ(s.x, (std::vector<double>{10, 30, 50}));
  EXPECT_EQ(s.y, (std::vector<double>{0.2, 0.6, 1.0}));
  std::vector<double> few{2, 1};
  ChartSeries all = cdf_series("x", few, 1.0, 200);  // fewer values than points: every one
  EXPECT_EQ(all.x, (std::vector<double>{1, 2}));
  EXPECT_EQ(all.y, (std::vector<double>{0.5, 1.0}));
}

TEST(HtmlPage, RoundsToSignificantDigitsAndEscapes) {
  EXPECT_DOUBLE_EQ(round_sig(123456789.0, 3), 123000000.0);
  EXPECT_DOUBLE_EQ(round_sig(0.000123456, 2), 0.00012);
  EXPECT_DOUBLE_EQ(round_sig(-2.5, 1), -3.0);
  EXPECT_EQ(html_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

TEST(HtmlPage, RendersSelfContainedDeterministicDocument) {
  HtmlPage page("T <1>", "sub");
  page.add_section("S");
  page.add_key_values({{"k", "v & w"}});
  ChartSpec c;
  c.title = "</script><b>";
  c.series.push_back({"s", {0, 1}, {2, 3}, {}, false});
  page.add_chart(c);
  HtmlTable t;
  t.sortable = true;
  t.columns = {"a", "b"};
  t.rows.push_back({"x", HtmlCell("1.5 s", 1.5)});
  page.add_table(t);
  EXPECT_EQ(page.chart_count(), 1u);

  EXPECT_FALSE(page.render("", "f").ok());  // no library to inline: an error, not a broken page
  auto html = page.render("/*LIB*/", "footer");
  ASSERT_TRUE(html.ok());
  const std::string& h = *html;
  EXPECT_NE(h.find("<title>T &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(h.find("<dd>v &amp; w</dd>"), std::string::npos);
  EXPECT_NE(h.find("/*LIB*/"), std::string::npos);
  EXPECT_NE(h.find("data-sort=\"1.5\""), std::string::npos);
  EXPECT_NE(h.find("<canvas id=\"chart-0\">"), std::string::npos);
  EXPECT_NE(h.find("\"points\":[[0.0,2.0],[1.0,3.0]]"), std::string::npos);
  // The chart title must not close the JSON <script> element early.
  EXPECT_EQ(h.find("</script><b>"), std::string::npos);
  EXPECT_NE(h.find("\\u003c/script>"), std::string::npos);
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("src="), std::string::npos);  // nothing fetched
  EXPECT_EQ(*page.render("/*LIB*/", "footer"), h);
}

TEST(HtmlPage, BuildEmbedsChartJs) {
  // Configured with libjs-chart.js (scripts/install-deps.sh): the UMD build.
  const std::string_view js = chartjs_source();
  if (js.empty()) GTEST_SKIP() << "libjs-chart.js was not installed when this build was configured";
  EXPECT_GT(js.size(), 100000u);
  EXPECT_NE(js.find("Chart.js v"), std::string_view::npos);
}

IterationRecord iteration(int32_t replica, double start, double end, int64_t prefill, int32_t decode) {
  IterationRecord it;
  it.replica = replica;
  it.start_s = start;
  it.end_s = end;
  it.shape.prefill_seqs = prefill > 0 ? 1 : 0;
  it.shape.prefill_tokens = prefill;
  it.shape.decode_seqs = decode;
  return it;
}

TEST(ReportCollector, SpreadsTokensOverTheBucketsAnIterationCovers) {
  ReportCollector rc(100);  // 1 ms buckets while the run is under 0.1 s
  rc.on_iteration(iteration(0, 0.0, 0.010, 100, 0));
  rc.on_iteration(iteration(0, 0.010, 0.0105, 0, 8));
  ASSERT_DOUBLE_EQ(rc.bucket_s(), 1e-3);
  const auto b = rc.buckets();
  ASSERT_EQ(b.size(), 11u);
  for (size_t i = 0; i < 10; ++i) EXPECT_NEAR(b[i].prefill_tokens, 10.0, 1e-9) << i;
  EXPECT_NEAR(b[10].decode_tokens, 8.0, 1e-9);
  // 1 sequence for 10 ms, then 8 sequences for 0.5 ms
  EXPECT_NEAR(b[10].seq_seconds / b[10].busy_seconds, 8.0, 1e-9);
  EXPECT_NEAR(b[3].seq_seconds / b[3].busy_seconds, 1.0, 1e-9);
}

TEST(ReportCollector, WidensBucketsAndConservesTokens) {
  ReportCollector rc(10);
  double t = 0;
  for (int i = 0; i < 100; ++i, t += 0.01) rc.on_iteration(iteration(0, t, t + 0.01, 7, 3));
  // 1.0 s needs 10 buckets of >= 0.1 s: 1 ms doubled 7 times = 0.128 s
  EXPECT_DOUBLE_EQ(rc.bucket_s(), 0.128);
  const auto b = rc.buckets();
  EXPECT_EQ(b.size(), 8u);  // ceil(1.0 / 0.128)
  double pre = 0, dec = 0;
  for (const auto& x : b) {
    pre += x.prefill_tokens;
    dec += x.decode_tokens;
  }
  EXPECT_NEAR(pre, 700.0, 1e-6);
  EXPECT_NEAR(dec, 300.0, 1e-6);
  EXPECT_NEAR(b[0].prefill_tokens, 7 * 12.8, 1e-6);  // 0.128 s of 0.01 s iterations
}

TEST(ReportCollector, KvTakesTheBusiestReplica) {
  ReportCollector rc(100);
  IterationRecord a = iteration(0, 0.0, 0.0005, 0, 1);
  a.kv_used_fraction = 0.25;
  IterationRecord b = iteration(1, 0.0002, 0.0007, 0, 1);
  b.kv_used_fraction = 0.5;
  rc.on_iteration(a);
  rc.on_iteration(b);
  IterationRecord c = iteration(0, 0.0021, 0.0025, 0, 1);
  c.kv_used_fraction = 0.1;
  rc.on_iteration(c);
  const auto bs = rc.buckets();
  ASSERT_EQ(bs.size(), 3u);
  EXPECT_DOUBLE_EQ(bs[0].kv_fraction, 0.5);
  EXPECT_FALSE(bs[1].started);
}

// Intent: the queue is measured from each request's wait (arrival to admission), so
// requests that arrive mid-iteration and are admitted at the next one count.
// Hand calculation, 1 ms buckets: request A waits [0.0002, 0.0016) and B
// [0.0005, 0.0010): bucket 0 holds 0.0008 + 0.0005 = 0.0013 request-seconds (mean
// 1.3 waiting), bucket 1 holds 0.0006.
TEST(ReportCollector, QueueIsTheTimeWeightedWaitOfRequests) {
  ReportCollector rc(100);
  rc.on_iteration(iteration(0, 0.0, 0.0019, 0, 1));
  RequestRecord a;
  a.arrival_s = 0.0002;
  a.admitted_s = 0.0016;
  a.first_token_s = 0.0017;
  a.completion_s = 0.0018;
  RequestRecord b = a;
  b.arrival_s = 0.0005;
  b.admitted_s = 0.0010;
  rc.on_request(a);
  rc.on_request(b);
  const auto bs = rc.buckets();
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_NEAR(bs[0].queued_seconds, 0.0013, 1e-12);
  EXPECT_NEAR(bs[1].queued_seconds, 0.0006, 1e-12);
}

TEST(ReportCollector, KeepsLatenciesOfCompletedRequestsOnly) {
  ReportCollector rc;
  RequestRecord r;
  r.arrival_s = 1.0;
  r.first_token_s = 1.5;
  r.completion_s = 3.5;
  r.output_tokens = 5;
  rc.on_request(r);
  RequestRecord one = r;
  one.output_tokens = 1;
  rc.on_request(one);
  RequestRecord rej;
  rej.rejected = true;
  rc.on_request(rej);
  EXPECT_EQ(rc.ttft(), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(rc.e2e(), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(rc.tpot(), (std::vector<double>{0.5}));  // (2.5 - 0.5) / 4; one-token requests have none
}

TEST(SimulationReport, HasEveryChartWhenTheRunHasData) {
  SimulationOutcome o;
  o.model.name = "m";
  o.system.name = "sys";
  o.serve.busy_breakdown.total = Seconds{2};
  o.serve.busy_breakdown.gemm_compute = Seconds{1};
  o.serve.busy_breakdown.weight_read = Seconds{1};
  ReportCollector rc;
  rc.on_iteration(iteration(0, 0, 0.02, 128, 0));
  RequestRecord r;
  r.first_token_s = 0.02;
  r.completion_s = 0.1;
  r.output_tokens = 4;
  rc.on_request(r);
  // 3 CDFs + throughput, batch, queue, KV + the breakdown bar
  EXPECT_EQ(simulation_report_page(o, rc, "t").chart_count(), 8u);
  ReportCollector one_token;
  r.output_tokens = 1;
  one_token.on_request(r);
  // no TPOT (one-token requests), no timeline: never an empty chart
  EXPECT_EQ(simulation_report_page(o, one_token, "t").chart_count(), 3u);
}

}  // namespace
}  // namespace tessera

#include <gtest/gtest.h>

#include <sstream>

#include "tessera/report/requests_csv.h"
#include "tessera/report/trace_event.h"

namespace tessera {
namespace {

RequestRecord done_request() {
  RequestRecord r;
  r.id = 7;
  r.arrival_s = 1.0;
  r.admitted_s = 1.5;
  r.prefill_end_s = 2.0;
  r.first_token_s = 2.25;
  r.completion_s = 3.0;
  r.input_tokens = 100;
  r.output_tokens = 5;
  r.cached_tokens = 64;
  r.preemptions = 1;
  r.replica = 0;
  r.decode_replica = 2;
  return r;
}

TEST(TraceEventWriter, WritesIterationsAndRequestSpansInMicroseconds) {
  std::ostringstream out;
  TraceEventWriter w(out);
  IterationRecord it;
  it.replica = 0;
  it.role = PoolRole::Prefill;
  it.start_s = 0.5;
  it.end_s = 0.75;
  it.shape.prefill_seqs = 1;
  it.shape.prefill_tokens = 100;
  w.on_iteration(it);
  w.on_request(done_request());
  RequestRecord rej;
  rej.id = 8;
  rej.arrival_s = 4;
  rej.rejected = true;
  w.on_request(rej);
  w.finish();
  const std::string s = out.str();
  EXPECT_EQ(s.rfind("{\"traceEvents\":[\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,", 0), 0u) << s;
  EXPECT_NE(s.find("\"args\":{\"name\":\"replica 0 (prefill pool)\"}"), std::string::npos);
  EXPECT_NE(s.find("{\"name\":\"prefill\",\"cat\":\"iteration\",\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":500000.000,"
                   "\"dur\":250000.000,\"args\":{\"prefill_seqs\":1,\"prefill_tokens\":100,"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("{\"name\":\"queued\",\"cat\":\"request\",\"ph\":\"b\",\"id\":7,\"pid\":1,\"tid\":1,"
                   "\"ts\":1000000.000,\"args\":{\"input_tokens\":100,\"output_tokens\":5,\"cached_tokens\":64,"
                   "\"preemptions\":1}}"),
            std::string::npos)
      << s;
  // The transfer and decode spans sit on the decode replica (pid 3).
  EXPECT_NE(s.find("{\"name\":\"kv-transfer\",\"cat\":\"request\",\"ph\":\"e\",\"id\":7,\"pid\":3,\"tid\":1,"
                   "\"ts\":2250000.000}"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("{\"name\":\"rejected\",\"cat\":\"request\",\"ph\":\"i\",\"s\":\"p\",\"pid\":0,\"tid\":0,"
                   "\"ts\":4000000.000,"),
            std::string::npos)
      << s;
  const std::string end = "\n],\"displayTimeUnit\":\"ms\"}\n";
  ASSERT_GE(s.size(), end.size());
  EXPECT_EQ(s.substr(s.size() - end.size()), end);
}

TEST(RequestsCsvWriter, OneRowPerRequest) {
  std::ostringstream out;
  RequestsCsvWriter w(out);
  w.on_request(done_request());
  RequestRecord rej;
  rej.id = 8;
  rej.arrival_s = 4;
  rej.input_tokens = 3;
  rej.output_tokens = 2;
  rej.rejected = true;
  w.on_request(rej);
  w.finish();
  EXPECT_EQ(out.str(),
            "id,arrival_s,first_token_s,completion_s,input_tokens,output_tokens,cached_tokens,preemptions,replica,"
            "status\n"
            "7,1.000000000,2.250000000,3.000000000,100,5,64,1,0,completed\n"
            "8,4.000000000,,,3,2,0,0,,rejected\n");
}

}  // namespace
}  // namespace tessera

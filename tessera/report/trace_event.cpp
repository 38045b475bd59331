#include "tessera/report/trace_event.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>

namespace tessera {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 16;

double to_us(double s) { return s * 1e6; }

// Whole nanoseconds: start and end are rounded once each and the duration derived from
// them, so that back-to-back slices (one ends where the next starts) print as
// touching, never overlapping by a rounding step.
int64_t to_ns(double s) { return std::llround(s * 1e9); }
double ns_to_us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

const char* role_name(PoolRole r) {
  switch (r) {
    case PoolRole::Colocated: return "";
    case PoolRole::Prefill: return " (prefill pool)";
    case PoolRole::Decode: return " (decode pool)";
  }
  return "";
}

}  // namespace

TraceEventWriter::TraceEventWriter(std::ostream& out) : out_(out) {
  fmt::format_to(std::back_inserter(buf_), "{{\"traceEvents\":[");
}

void TraceEventWriter::begin_event() {
  fmt::format_to(std::back_inserter(buf_), "{}\n", first_ ? "" : ",");
  first_ = false;
}

void TraceEventWriter::name_process(int32_t pid, PoolRole role) {
  if (pid < static_cast<int32_t>(named_.size()) && named_[pid]) return;
  if (pid >= static_cast<int32_t>(named_.size())) named_.resize(static_cast<size_t>(pid) + 1, false);
  named_[pid] = true;
  auto o = std::back_inserter(buf_);
  begin_event();
  if (pid == 0) {
    fmt::format_to(o, R"({{"name":"process_name","ph":"M","pid":0,"tid":0,"args":{{"name":"router"}}}})");
    return;
  }
  fmt::format_to(o, R"({{"name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":"replica {}{}"}}}})", pid,
                 pid - 1, role_name(role));
  begin_event();
  fmt::format_to(o, R"({{"name":"thread_name","ph":"M","pid":{},"tid":0,"args":{{"name":"iterations"}}}})", pid);
  begin_event();
  fmt::format_to(o, R"({{"name":"thread_name","ph":"M","pid":{},"tid":1,"args":{{"name":"requests"}}}})", pid);
}

void TraceEventWriter::on_iteration(const IterationRecord& it) {
  const int32_t pid = it.replica + 1;
  name_process(pid, it.role);
  const BatchShape& b = it.shape;
  const char* name = b.prefill_seqs > 0 ? (b.decode_seqs > 0 ? "prefill+decode" : "prefill") : "decode";
  if (last_end_ns_.size() <= static_cast<size_t>(pid)) last_end_ns_.resize(static_cast<size_t>(pid) + 1, 0);
  int64_t& last_end = last_end_ns_[static_cast<size_t>(pid)];
  int64_t start_ns = to_ns(it.start_s);
  const int64_t end_ns = std::max(to_ns(it.end_s), start_ns);
  if (start_ns < last_end && last_end - start_ns <= 1) start_ns = std::min(last_end, end_ns);
  last_end = std::max(last_end, end_ns);
  begin_event();
  fmt::format_to(std::back_inserter(buf_),
                 R"({{"name":"{}","cat":"iteration","ph":"X","pid":{},"tid":0,"ts":{:.3f},"dur":{:.3f},)"
                 R"("args":{{"prefill_seqs":{},"prefill_tokens":{},"prefill_context":{},"decode_seqs":{},)"
                 R"("decode_kv_tokens":{},"draft_us":{:.3f}}}}})",
                 name, pid, ns_to_us(start_ns), ns_to_us(end_ns - start_ns), b.prefill_seqs, b.prefill_tokens,
                 b.prefill_context, b.decode_seqs, b.decode_kv_tokens, to_us(it.draft_s));
  flush_if_full();
}

void TraceEventWriter::span(const char* name, int64_t id, int32_t pid, double begin_s, double end_s,
                            const RequestRecord* args) {
  auto o = std::back_inserter(buf_);
  begin_event();
  fmt::format_to(o, R"({{"name":"{}","cat":"request","ph":"b","id":{},"pid":{},"tid":1,"ts":{:.3f})", name, id, pid,
                 ns_to_us(to_ns(begin_s)));
  if (args != nullptr) {
    fmt::format_to(o, R"(,"args":{{"input_tokens":{},"output_tokens":{},"cached_tokens":{},"preemptions":{}}})",
                   args->input_tokens, args->output_tokens, args->cached_tokens, args->preemptions);
  }
  fmt::format_to(o, "}}");
  begin_event();
  fmt::format_to(o, R"({{"name":"{}","cat":"request","ph":"e","id":{},"pid":{},"tid":1,"ts":{:.3f}}})", name, id, pid,
                 ns_to_us(to_ns(end_s)));
}

void TraceEventWriter::on_request(const RequestRecord& r) {
  if (r.rejected) {
    name_process(0, PoolRole::Colocated);
    begin_event();
    fmt::format_to(std::back_inserter(buf_),
                   R"({{"name":"rejected","cat":"request","ph":"i","s":"p","pid":0,"tid":0,"ts":{:.3f},)"
                   R"("args":{{"id":{},"input_tokens":{},"output_tokens":{}}}}})",
                   to_us(r.arrival_s), r.id, r.input_tokens, r.output_tokens);
    flush_if_full();
    return;
  }
  const int32_t pid = r.replica + 1;
  const int32_t decode_pid = r.decode_replica >= 0 ? r.decode_replica + 1 : pid;
  span("queued", r.id, pid, r.arrival_s, r.admitted_s, &r);
  span("prefill", r.id, pid, r.admitted_s, r.prefill_end_s, nullptr);
  if (r.decode_replica >= 0) span("kv-transfer", r.id, decode_pid, r.prefill_end_s, r.first_token_s, nullptr);
  if (r.completion_s > r.first_token_s) span("decode", r.id, decode_pid, r.first_token_s, r.completion_s, nullptr);
  flush_if_full();
}

void TraceEventWriter::flush_if_full() {
  if (buf_.size() < kFlushBytes) return;
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

void TraceEventWriter::finish() {
  fmt::format_to(std::back_inserter(buf_), "\n],\"displayTimeUnit\":\"ms\"}}\n");
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
  out_.flush();
}

}  // namespace tessera

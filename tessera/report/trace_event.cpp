#include "tessera/report/trace_event.h"

#include <iterator>

namespace tessera {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 16;

double to_us(double s) { return s * 1e6; }

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
  begin_event();
  fmt::format_to(std::back_inserter(buf_),
                 R"({{"name":"{}","cat":"iteration","ph":"X","pid":{},"tid":0,"ts":{:.3f},"dur":{:.3f},)"
                 R"("args":{{"prefill_seqs":{},"prefill_tokens":{},"prefill_context":{},"decode_seqs":{},)"
                 R"("decode_kv_tokens":{},"draft_us":{:.3f}}}}})",
                 name, pid, to_us(it.start_s), to_us(it.end_s - it.start_s), b.prefill_seqs, b.prefill_tokens,
                 b.prefill_context, b.decode_seqs, b.decode_kv_tokens, to_us(it.draft_s));
  flush_if_full();
}

void TraceEventWriter::span(const char* name, int64_t id, int32_t pid, double begin_s, double end_s,
                            const RequestRecord* args) {
  auto o = std::back_inserter(buf_);
  begin_event();
  fmt::format_to(o, R"({{"name":"{}","cat":"request","ph":"b","id":{},"pid":{},"tid":1,"ts":{:.3f})", name, id, pid,
                 to_us(begin_s));
  if (args != nullptr) {
    fmt::format_to(o, R"(,"args":{{"input_tokens":{},"output_tokens":{},"cached_tokens":{},"preemptions":{}}})",
                   args->input_tokens, args->output_tokens, args->cached_tokens, args->preemptions);
  }
  fmt::format_to(o, "}}");
  begin_event();
  fmt::format_to(o, R"({{"name":"{}","cat":"request","ph":"e","id":{},"pid":{},"tid":1,"ts":{:.3f}}})", name, id, pid,
                 to_us(end_s));
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

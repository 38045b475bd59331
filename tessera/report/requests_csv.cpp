#include "tessera/report/requests_csv.h"

#include <iterator>

namespace tessera {

RequestsCsvWriter::RequestsCsvWriter(std::ostream& out) : out_(out) {
  fmt::format_to(std::back_inserter(buf_),
                 "id,arrival_s,first_token_s,completion_s,input_tokens,output_tokens,cached_tokens,preemptions,"
                 "replica,status\n");
}

void RequestsCsvWriter::on_request(const RequestRecord& r) {
  auto o = std::back_inserter(buf_);
  if (r.rejected) {
    fmt::format_to(o, "{},{:.9f},,,{},{},0,0,,rejected\n", r.id, r.arrival_s, r.input_tokens, r.output_tokens);
  } else {
    fmt::format_to(o, "{},{:.9f},{:.9f},{:.9f},{},{},{},{},{},completed\n", r.id, r.arrival_s, r.first_token_s,
                   r.completion_s, r.input_tokens, r.output_tokens, r.cached_tokens, r.preemptions, r.replica);
  }
  if (buf_.size() >= (size_t{1} << 16)) {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
}

void RequestsCsvWriter::finish() {
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
  out_.flush();
}

}  // namespace tessera

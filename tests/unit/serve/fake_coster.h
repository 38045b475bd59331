// A hand-computable IterationCoster for the serve tests:
//   time = a + b * (prefill_tokens + decode_seqs) + c * decode_kv_tokens
// It records every batch shape it was asked about.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/plan/batch.h"
#include "tessera/specs/workload.h"

namespace tessera::test {

class FakeCoster final : public IterationCoster {
 public:
  FakeCoster(double a, double b, double c, int64_t kv_blocks, int block_tokens, bool record = true)
      : a_(a), b_(b), c_(c), kv_blocks_(kv_blocks), block_tokens_(block_tokens), record_(record) {}

  IterationCost cost(const BatchShape& s) override {
    if (record_) shapes.push_back(s);
    IterationCost c;
    c.total = Seconds(a_ + b_ * static_cast<double>(s.tokens()) + c_ * static_cast<double>(s.decode_kv_tokens));
    c.overhead = Seconds(a_);
    c.gemm_compute = c.total - c.overhead;
    return c;
  }
  int64_t kv_blocks() const override { return kv_blocks_; }
  int block_tokens() const override { return block_tokens_; }

  std::vector<BatchShape> shapes;

 private:
  double a_, b_, c_;
  int64_t kv_blocks_;
  int block_tokens_;
  bool record_;
};

// A request stream from a fixed list (a trace in memory); `error_at_end` is reported
// after the last row, as a trace reader reports a malformed row.
class VectorSource final : public RequestSource {
 public:
  explicit VectorSource(std::vector<RequestArrival> rows, std::string error_at_end = "")
      : rows_(std::move(rows)), error_at_end_(std::move(error_at_end)) {}
  std::optional<RequestArrival> next() override {
    if (i_ < rows_.size()) return rows_[i_++];
    error_ = error_at_end_;
    return std::nullopt;
  }
  const std::string& error() const override { return error_; }

 private:
  std::vector<RequestArrival> rows_;
  size_t i_ = 0;
  std::string error_at_end_, error_;
};

}  // namespace tessera::test

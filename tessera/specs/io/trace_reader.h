// Streaming readers for request traces (docs/formats.md, "Trace files"). The format
// is detected from the first line:
//   Azure LLM 2023 CSV   header TIMESTAMP,ContextTokens,GeneratedTokens
//   generic CSV          header arrival_s,input_tokens,output_tokens
//   Mooncake JSONL       a line starting with '{' (timestamp ms, input_length,
//                        output_length, hash_ids)
// Rows are read one line at a time; the file is never loaded whole, so memory does
// not grow with the trace. Arrivals are seconds since the first row, divided by
// rate_scale. A token count of 0 is read as 1 (a request always produces its
// first token in the prefill, and costs one); negative counts are errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/workload.h"

namespace tessera {

enum class TraceFormat { AzureCsv, GenericCsv, MooncakeJsonl };

std::string_view trace_format_name(TraceFormat f);

// The format a trace's first line announces; bad_input naming `file` otherwise.
Result<TraceFormat> detect_trace_format(std::string_view first_line, std::string_view file);

// Opens `path` and checks its header. rate_scale > 1 compresses time (more load);
// limit > 0 stops after that many rows, 0 reads all. Row errors surface later, through
// the source's error() once next() returns nullopt:
//   "conv.csv:row 7: column 'ContextTokens': 'abc' is not an integer"
// where row N is the N-th line of the file (the header is row 1).
Result<std::unique_ptr<RequestSource>> open_trace(const std::filesystem::path& path, double rate_scale = 1.0,
                                                  int64_t limit = 0);

}  // namespace tessera

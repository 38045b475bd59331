// Numeric formats used for weights, KV cache and compute.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"

namespace tessera {

enum class DType { FP32, TF32, BF16, FP16, FP8, INT8, MXFP8, MXFP4, FP4 };

// Storage size in bits per element, including the shared block scale of MX formats
// (OCP MX spec v1.0: one 8-bit E8M0 scale per 32 elements -> +0.25 bit/element).
double dtype_bits(DType d);
inline double dtype_bytes(DType d) { return dtype_bits(d) / 8.0; }
std::string_view dtype_name(DType d);             // "bf16", "fp8", ...
std::optional<DType> parse_dtype(std::string_view s);  // accepts "bf16", "bfloat16", "fp8", ...
// The names users type for weights/KV dtypes, for "did you mean" suggestions.
const std::vector<std::string>& dtype_names();
// parse_dtype for an option the user gave: bad input "<flag>: unknown dtype 'x' (did you mean ...)".
Result<DType> dtype_option(std::string_view flag, const std::string& text);

}  // namespace tessera

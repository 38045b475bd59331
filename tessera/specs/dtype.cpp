#include "tessera/specs/dtype.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "tessera/core/did_you_mean.h"

namespace tessera {

double dtype_bits(DType d) {
  switch (d) {
    case DType::FP32: return 32;
    case DType::TF32: return 32;
    case DType::BF16: return 16;
    case DType::FP16: return 16;
    case DType::FP8: return 8;
    case DType::INT8: return 8;
    case DType::MXFP8: return 8.25;
    case DType::MXFP4: return 4.25;
    case DType::FP4: return 4.5;  // NVFP4: one FP8 scale per 16 elements
  }
  return 16;
}

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::FP32: return "fp32";
    case DType::TF32: return "tf32";
    case DType::BF16: return "bf16";
    case DType::FP16: return "fp16";
    case DType::FP8: return "fp8";
    case DType::INT8: return "int8";
    case DType::MXFP8: return "mxfp8";
    case DType::MXFP4: return "mxfp4";
    case DType::FP4: return "fp4";
  }
  return "?";
}

const std::vector<std::string>& dtype_names() {
  static const std::vector<std::string> kNames{"fp32", "bf16", "fp16", "fp8", "int8", "mxfp8", "mxfp4", "fp4"};
  return kNames;
}

Result<DType> dtype_option(std::string_view flag, const std::string& text) {
  if (auto d = parse_dtype(text)) return *d;
  return bad_input(fmt::format("{}: unknown dtype '{}'{}", flag, text, did_you_mean(text, dtype_names())));
}

std::optional<DType> parse_dtype(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, DType>, 15> kNames{{
      {"fp32", DType::FP32}, {"float32", DType::FP32}, {"tf32", DType::TF32},
      {"bf16", DType::BF16}, {"bfloat16", DType::BF16}, {"fp16", DType::FP16},
      {"float16", DType::FP16}, {"half", DType::FP16}, {"fp8", DType::FP8},
      {"int8", DType::INT8}, {"mxfp8", DType::MXFP8}, {"mxfp4", DType::MXFP4},
      {"fp4", DType::FP4}, {"nvfp4", DType::FP4}, {"float8", DType::FP8},
  }};
  for (const auto& [name, d] : kNames)
    if (name == s) return d;
  return std::nullopt;
}

}  // namespace tessera

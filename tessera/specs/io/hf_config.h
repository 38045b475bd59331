// Hugging Face config.json -> ModelSpec, for the families Tessera lowers: Llama, Mistral,
// Qwen2 (dense GQA), GPT-J and phi-2 (plain MLP, partial rotary), Mixtral, Qwen2/3-MoE,
// DeepSeek-V2/V3 (MoE + MLA) and GPT-OSS (MoE + alternating sliding window).
// Unknown keys are ignored (HF configs carry many); a key we read with the wrong JSON type
// is an error, as is a missing required key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/model.h"

namespace tessera {

// `name` becomes ModelSpec::name; `source` is set to the path.
Result<ModelSpec> load_hf_config(const std::filesystem::path& path, std::string name);

// The same for JSON text already in memory; `file` names it in error messages.
Result<ModelSpec> parse_hf_config(std::string_view json_text, const std::string& file,
                                  std::string name);

}  // namespace tessera

// "did you mean" suggestions for misspelled names, keys and flags.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

// Levenshtein edit distance between a and b.
int edit_distance(std::string_view a, std::string_view b);

// The closest candidate to `name` if it is close enough to be a plausible typo
// (distance <= max(2, len/3)); empty string otherwise.
std::string closest_match(std::string_view name, std::span<const std::string> candidates);

// " (did you mean 'x'?)" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view name, std::span<const std::string> candidates);

}  // namespace tessera

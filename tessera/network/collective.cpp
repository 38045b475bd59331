#include "tessera/network/collective.h"

#include <algorithm>
#include <cctype>
#include <array>
#include <utility>

namespace tessera {

namespace {

constexpr std::array<std::pair<std::string_view, CollectiveKind>, 5> kKinds{{
    {"all-reduce", CollectiveKind::AllReduce},
    {"all-gather", CollectiveKind::AllGather},
    {"reduce-scatter", CollectiveKind::ReduceScatter},
    {"all-to-all", CollectiveKind::AllToAll},
    {"send-recv", CollectiveKind::SendRecv},
}};

constexpr std::array<std::pair<std::string_view, CollectiveAlgorithm>, 8> kAlgos{{
    {"auto", CollectiveAlgorithm::Auto},
    {"ring", CollectiveAlgorithm::Ring},
    {"tree", CollectiveAlgorithm::Tree},
    {"direct", CollectiveAlgorithm::Direct},
    {"halving-doubling", CollectiveAlgorithm::HalvingDoubling},
    {"hierarchical", CollectiveAlgorithm::Hierarchical},
    {"nvls", CollectiveAlgorithm::Nvls},
    {"p2p", CollectiveAlgorithm::P2p},
}};

// "all_reduce", "allreduce", "All-Reduce" -> "all-reduce" form for lookup.
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '_') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

std::string_view collective_name(CollectiveKind k) {
  for (const auto& [name, kind] : kKinds)
    if (kind == k) return name;
  return "?";
}

std::optional<CollectiveKind> collective_from_name(std::string_view name) {
  for (const auto& [n, kind] : kKinds)
    if (squash(n) == squash(name)) return kind;
  if (squash(name) == "alltoall" || squash(name) == "a2a") return CollectiveKind::AllToAll;
  return std::nullopt;
}

const std::vector<std::string>& collective_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& kv : kKinds) v.emplace_back(kv.first);
    return v;
  }();
  return names;
}

std::string_view algorithm_name(CollectiveAlgorithm a) {
  for (const auto& [name, algo] : kAlgos)
    if (algo == a) return name;
  return "?";
}

std::optional<CollectiveAlgorithm> algorithm_from_name(std::string_view name) {
  for (const auto& [n, algo] : kAlgos)
    if (squash(n) == squash(name)) return algo;
  return std::nullopt;
}

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& kv : kAlgos) v.emplace_back(kv.first);
    return v;
  }();
  return names;
}

double busbw_factor(CollectiveKind kind, int ranks) {
  const double n = std::max(1, ranks);
  switch (kind) {
    case CollectiveKind::AllReduce: return 2.0 * (n - 1) / n;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll: return (n - 1) / n;
    case CollectiveKind::SendRecv: return 1.0;
  }
  return 1.0;
}

}  // namespace tessera

#include "storage/dynamodb/claim_candidates.hpp"

#include "storage/dynamodb/attribute_value.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

bool free_for(const json::object& item, const util::Lease& lease) {
  if (!item.contains("lease_until")) return true;
  if (read_number(item, "lease_until") <= lease.now_ms) return true;
  return read_optional_string(item, "lease_owner") == lease.owner;
}

std::vector<std::string> candidate_subjects(const json::array& index_items, const util::Lease& lease, size_t limit,
                                            std::set<std::string>& seen) {
  std::vector<std::string> subjects;
  for (const auto& value : index_items) {
    if (subjects.size() >= limit) break;
    const auto& item = value.as_object();
    std::string subject = read_string(item, "subject");
    if (!seen.insert(subject).second) continue;  // not the subject's oldest here
    if (free_for(item, lease)) subjects.push_back(std::move(subject));
  }
  return subjects;
}

std::optional<json::object> claimable(const json::array& subject_items, const util::Lease& lease) {
  if (subject_items.empty()) return std::nullopt;
  const auto& oldest = subject_items.front().as_object();
  if (!free_for(oldest, lease)) return std::nullopt;
  return oldest;
}

}  // namespace ninja::storage::dynamodb

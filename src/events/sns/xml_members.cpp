#include "events/sns/xml_members.hpp"

#include <string>

namespace ninja::events::sns {

std::vector<std::string_view> xml_members(std::string_view xml, std::string_view list_tag) {
  const std::string open = "<" + std::string(list_tag) + ">";
  const std::string close = "</" + std::string(list_tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return {};
  const auto end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return {};
  std::string_view list = xml.substr(start + open.size(), end - start - open.size());
  static constexpr std::string_view kOpen = "<member>";
  static constexpr std::string_view kClose = "</member>";
  std::vector<std::string_view> members;
  for (;;) {
    const auto begin = list.find(kOpen);
    if (begin == std::string_view::npos) break;
    const auto finish = list.find(kClose, begin + kOpen.size());
    if (finish == std::string_view::npos) break;
    members.push_back(list.substr(begin + kOpen.size(), finish - begin - kOpen.size()));
    list.remove_prefix(finish + kClose.size());
  }
  return members;
}

}  // namespace ninja::events::sns

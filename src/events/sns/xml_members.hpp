#pragma once
// The entries of a list in an SNS (Query protocol) answer: `<Failed><member>…</member>…</Failed>`.
// Like aws/xml_text, enough for SNS's small, flat, machine-written answers; not an XML parser.
#include <string_view>
#include <vector>

namespace ninja::events::sns {

// The inner text of each <member> element of the first <list_tag> element, in order; empty when
// there is no such list, when it is empty (`<Failed/>`) or when it is not closed.
std::vector<std::string_view> xml_members(std::string_view xml, std::string_view list_tag);

}  // namespace ninja::events::sns

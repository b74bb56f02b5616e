#pragma once
// The text of one element in an AWS Query-protocol answer (SNS speaks XML): enough to read a
// <TopicArn>, a <SubscriptionArn> or an error's <Code> and <Message> without an XML library. The
// answers are small, flat and machine-written; this is not a general XML parser.
#include <optional>
#include <string>
#include <string_view>

namespace ninja::aws {

// The text inside the first <tag>…</tag> (the five predefined entities and numeric character
// references decoded), or nullopt when there is no such element.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view tag);

}  // namespace ninja::aws

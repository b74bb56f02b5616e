#include "events/event.hpp"

#include "util/json_text.hpp"
#include "util/time.hpp"

namespace ninja::events {

Event make_event(std::string id, std::string_view type, std::string_view source, std::string subject, int64_t time_ms,
                 std::string_view data_json) {
  // Written by hand, not as a tree (once per create): the same text boost::json::serialize writes
  // for these members in this order, which a unit test holds; "data" goes last, verbatim.
  std::string payload;
  payload.reserve(220 + data_json.size());
  payload.append(R"({"specversion":"1.0","id":)");
  util::append_serialized_string(payload, id);
  payload.append(R"(,"type":)");
  util::append_serialized_string(payload, type);
  payload.append(R"(,"source":)");
  util::append_serialized_string(payload, source);
  payload.append(R"(,"subject":)");
  util::append_serialized_string(payload, subject);
  payload.append(R"(,"time":)");
  util::append_serialized_string(payload, util::format_rfc3339_millis(time_ms));
  payload.append(R"(,"datacontenttype":"application/json","data":)").append(data_json).push_back('}');
  return Event{std::move(id), std::string(type), std::move(subject), time_ms, std::move(payload)};
}

}  // namespace ninja::events

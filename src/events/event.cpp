#include "events/event.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "util/time.hpp"

namespace ninja::events {

Event make_event(std::string id, std::string_view type, std::string_view source, std::string subject, int64_t time_ms,
                 std::string_view data_json) {
  boost::json::object ce;
  ce["specversion"] = "1.0";
  ce["id"] = id;
  ce["type"] = type;
  ce["source"] = source;
  ce["subject"] = subject;
  ce["time"] = util::format_rfc3339_millis(time_ms);
  ce["datacontenttype"] = "application/json";
  std::string payload = boost::json::serialize(ce);
  payload.pop_back();  // the closing brace: "data" goes last
  payload.append(R"(,"data":)").append(data_json).push_back('}');
  return Event{std::move(id), std::string(type), std::move(subject), time_ms, std::move(payload)};
}

}  // namespace ninja::events

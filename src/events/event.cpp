#include "events/event.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "util/time.hpp"

namespace ninja::events {

Event make_event(std::string id, std::string_view type, std::string_view source, std::string subject, int64_t time_ms,
                 boost::json::value data) {
  boost::json::object ce;
  ce["specversion"] = "1.0";
  ce["id"] = id;
  ce["type"] = type;
  ce["source"] = source;
  ce["subject"] = subject;
  ce["time"] = util::format_rfc3339_millis(time_ms);
  ce["datacontenttype"] = "application/json";
  ce["data"] = std::move(data);
  return Event{std::move(id), std::string(type), std::move(subject), time_ms, boost::json::serialize(ce)};
}

}  // namespace ninja::events

#include "notify/channels/log_channel.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ninja::notify {

void LogChannel::deliver(const Notification& n, util::Completion<Attempt> done) { done(write_line(n), {}); }

Attempt LogChannel::write_line(const Notification& n) {
  boost::json::object line;
  line["event_id"] = n.event_id;
  line["channel"] = domain::to_string(n.user.notify_channel);
  line["user_id"] = n.user.id;
  line["order_id"] = n.order_id;
  line["total"] = n.total;
  line["currency"] = n.currency;
  const std::string text = boost::json::serialize(line) + "\n";
  std::lock_guard lock(mutex_);
  out_ << text;
  out_.flush();  // a delivered line is on its way to the file before we record it as delivered
  if (!out_) {
    out_.clear();
    return {Outcome::retry, "the notification log could not be written"};
  }
  return {Outcome::delivered, {}};
}

}  // namespace ninja::notify

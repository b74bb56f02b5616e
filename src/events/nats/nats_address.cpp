#include "events/nats/nats_address.hpp"

#include <charconv>

#include <algorithm>
#include <stdexcept>

namespace ninja::events::nats {
namespace {

// Letters, digits, '-' and '_': valid in a subject token, a stream name and a consumer name alike.
bool is_name(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// "nats://user:secret@host:4222" → "nats://user:***@host:4222"; a lone token becomes "***".
std::string redact_one(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t at = url.find('@', start);
  if (at == std::string_view::npos) return std::string(url);
  const std::string_view userinfo = url.substr(start, at - start);
  const size_t colon = userinfo.find(':');
  std::string shown(url.substr(0, start));
  shown += colon == std::string_view::npos ? std::string("***") : std::string(userinfo.substr(0, colon)) + ":***";
  shown += url.substr(at);
  return shown;
}

void check_server_url(std::string_view url, const std::string& shown) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) throw std::invalid_argument("bus URL " + shown + " has no scheme (nats://)");
  const std::string_view name = url.substr(0, scheme);
  if (name != "nats" && name != "tls") {
    throw std::invalid_argument("bus URL " + shown + ": scheme must be nats:// or tls://");
  }
  std::string_view rest = url.substr(scheme + 3);
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.empty() || rest.front() == ':' || rest.find('/') != std::string_view::npos) {
    throw std::invalid_argument("bus URL " + shown + " must be nats://HOST[:PORT]");
  }
}

}  // namespace

NatsAddress NatsAddress::parse(std::string_view url) {
  NatsAddress address;
  std::string_view servers = url;
  std::string_view query;
  if (const size_t mark = url.find('?'); mark != std::string_view::npos) {
    servers = url.substr(0, mark);
    query = url.substr(mark + 1);
  }
  for (size_t begin = 0; begin <= servers.size();) {
    const size_t comma = std::min(servers.find(',', begin), servers.size());
    const std::string_view one = servers.substr(begin, comma - begin);
    const std::string shown = redact_one(one);
    check_server_url(one, shown);
    if (!address.redacted_.empty()) address.redacted_ += ',';
    address.redacted_ += shown;
    begin = comma + 1;
  }
  address.servers_ = std::string(servers);

  while (!query.empty()) {
    const size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    query = amp < query.size() ? query.substr(amp + 1) : std::string_view{};
    const size_t equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    if (key == "replicas") {
      // How many servers of a JetStream cluster keep the stream (1 on a single server, 3 usually).
      int n = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error != std::errc() || end != value.data() + value.size() || n < 1 || n > 5) {
        throw std::invalid_argument("bus URL " + address.redacted_ + ": replicas must be 1-5");
      }
      address.replicas_ = n;
      continue;
    }
    if (key != "prefix") {
      throw std::invalid_argument("bus URL " + address.redacted_ + ": unknown parameter '" + std::string(key) +
                                  "' (prefix=P and replicas=N are understood)");
    }
    // "acme" and "acme." mean the same: subjects acme.ninja.….
    const std::string_view token = value.ends_with('.') ? value.substr(0, value.size() - 1) : value;
    if (!is_name(token)) {
      throw std::invalid_argument("bus URL " + address.redacted_ +
                                  ": prefix must be 1-64 letters, digits, '-' or '_' (one subject token)");
    }
    address.prefix_ = std::string(token);
  }
  return address;
}

std::string NatsAddress::subject(std::string_view event_type) const {
  return prefix_.empty() ? std::string(event_type) : prefix_ + "." + std::string(event_type);
}

std::string NatsAddress::all_subjects() const { return subject("ninja.>"); }

std::string NatsAddress::stream_name() const { return prefix_.empty() ? "ninja" : prefix_ + "-ninja"; }

std::string NatsAddress::durable_name(std::string_view consumer) const {
  if (!is_name(consumer)) {
    throw std::invalid_argument("consumer name '" + std::string(consumer) +
                                "' must be letters, digits, '-' or '_' (it names a durable NATS consumer)");
  }
  return prefix_.empty() ? std::string(consumer) : prefix_ + "-" + std::string(consumer);
}

}  // namespace ninja::events::nats

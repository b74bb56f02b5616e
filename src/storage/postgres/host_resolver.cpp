#include "storage/postgres/host_resolver.hpp"

#include <libpq-fe.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>

namespace ninja::storage::postgres {

namespace asio = boost::asio;

namespace {

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    out.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out;
}

// A parameter as libpq would take it: from the string, else its environment variable.
std::string option(const PQconninfoOption* options, const char* keyword) {
  for (const auto* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (std::string_view(keyword) != o->keyword) continue;
    if (o->val != nullptr && *o->val != '\0') return o->val;
    if (o->envvar != nullptr) {
      // Nothing in the service sets the environment, so reading it from any thread is safe.
      if (const char* env = std::getenv(o->envvar); env != nullptr) return env;  // NOLINT(concurrency-mt-unsafe)
    }
    return "";
  }
  return "";
}

bool needs_lookup(const std::string& host) {
  if (host.empty() || host.front() == '/' || host.front() == '@') return false;  // socket directories
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return static_cast<bool>(ec);  // not a numeric address: a name
}

}  // namespace

HostResolver::HostResolver(asio::io_context& io, Done done) : resolver_(io), done_(std::move(done)) {}

std::shared_ptr<HostResolver> HostResolver::start(asio::io_context& io, const std::string& conninfo, Done done) {
  auto resolver = std::make_shared<HostResolver>(io, std::move(done));
  resolver->begin(conninfo);
  return resolver;
}

void HostResolver::begin(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);
  std::vector<std::string> hosts;
  std::vector<std::string> ports;
  bool own_addresses = true;
  if (options != nullptr) {
    hosts = split(option(options, "host"));
    ports = split(option(options, "port"));
    own_addresses = !option(options, "hostaddr").empty();
    PQconninfoFree(options);
  }
  multiple_ports_ = ports.size() > 1;
  for (size_t i = 0; i < hosts.size(); ++i) {
    std::string port = ports.size() == hosts.size() ? ports[i] : ports.front();
    targets_.push_back(Target{hosts[i], port.empty() ? "5432" : port, {}, needs_lookup(hosts[i])});
  }
  bool any = false;
  for (const auto& target : targets_) any = any || target.lookup;
  if (options == nullptr || own_addresses || !any) {
    // Nothing to look up (or a malformed string, which libpq itself will report).
    targets_.clear();
    asio::post(resolver_.get_executor(), [self = shared_from_this()] { self->finish(); });
    return;
  }
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].lookup) {
      ++pending_;
      resolve(i);
    }
  }
}

void HostResolver::resolve(size_t index) {
  resolver_.async_resolve(targets_[index].host, targets_[index].port,
                          [self = shared_from_this(), index](const boost::system::error_code& ec,
                                                             const asio::ip::tcp::resolver::results_type& results) {
                            if (ec == asio::error::operation_aborted || !self->done_) return;
                            if (ec) {
                              if (self->error_.empty()) {
                                self->error_ = "could not translate host name \"" + self->targets_[index].host +
                                               "\" to address: " + ec.message();
                              }
                            } else {
                              for (const auto& entry : results) {
                                self->targets_[index].addresses.push_back(entry.endpoint().address().to_string());
                              }
                            }
                            if (--self->pending_ == 0) self->finish();
                          });
}

void HostResolver::finish() {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  if (!error_.empty() || targets_.empty()) return done({}, error_);
  // One host entry per address, each with its address (or none, for sockets and numeric hosts).
  std::vector<std::string> hosts;
  std::vector<std::string> addresses;
  std::vector<std::string> ports;
  for (const auto& target : targets_) {
    if (!target.lookup) {
      hosts.push_back(target.host);
      addresses.emplace_back();
      ports.push_back(target.port);
      continue;
    }
    for (const auto& address : target.addresses) {
      hosts.push_back(target.host);
      addresses.push_back(address);
      ports.push_back(target.port);
    }
  }
  Keywords keywords{{"host", join(hosts)}, {"hostaddr", join(addresses)}};
  if (multiple_ports_) keywords.emplace_back("port", join(ports));
  done(std::move(keywords), "");
}

void HostResolver::cancel() {
  done_ = nullptr;
  resolver_.cancel();
}

}  // namespace ninja::storage::postgres

#pragma once
// libpq looks host names up with a blocking getaddrinfo inside PQconnectPoll: on the pool's loop
// that would stall every connection (and every deadline) for as long as DNS takes. So names are
// looked up here first, on Asio's resolver (a background thread), and given to libpq as
// `hostaddr`, one entry per address (libpq tries them in order, as it would its own lookup);
// `host` keeps the name, which libpq still uses for .pgpass, TLS and messages.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ninja::storage::postgres {

// Connection keywords to add after the connection string (they override it).
using Keywords = std::vector<std::pair<std::string, std::string>>;

class HostResolver : public std::enable_shared_from_this<HostResolver> {
 public:
  // Keywords to add (none when the string names no host, only addresses or socket directories,
  // or sets hostaddr itself), or `error` saying which name could not be resolved.
  using Done = std::function<void(Keywords keywords, std::string error)>;

  static std::shared_ptr<HostResolver> start(boost::asio::io_context& io, const std::string& conninfo, Done done);
  void cancel();

  HostResolver(boost::asio::io_context& io, Done done);

 private:
  struct Target {
    std::string host;
    std::string port;
    std::vector<std::string> addresses;  // empty: libpq needs no lookup for it
    bool lookup = false;
  };
  void begin(const std::string& conninfo);
  void resolve(size_t index);
  void finish();

  boost::asio::ip::tcp::resolver resolver_;
  Done done_;
  std::vector<Target> targets_;
  bool multiple_ports_ = false;
  size_t pending_ = 0;
  std::string error_;
};

}  // namespace ninja::storage::postgres

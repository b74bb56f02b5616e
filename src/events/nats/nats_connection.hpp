#pragma once
// One connection to NATS, shared by the publisher and every pull consumer of a process. It
// reconnects by itself forever after the server goes away (publishes fail fast meanwhile, see
// JetStreamPublisher), so a restart of nats-server needs no restart of ours; connected() is the
// readiness signal.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "events/nats/nats_address.hpp"
#include "events/nats/nats_handles.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events::nats {

struct ConnectionOptions {
  std::string name = "ninja-orders";                // shown by the server's monitoring
  std::chrono::milliseconds connect_timeout{2000};  // one attempt to reach a server
  std::chrono::milliseconds reconnect_wait{250};    // between reconnect attempts to the same server
  // A server that stops answering without closing the socket is noticed after about
  // ping_interval × (max_pings_out + 1), then the connection reconnects.
  std::chrono::milliseconds ping_interval{2000};
  int max_pings_out = 2;
};

class NatsConnection {
 public:
  // Connects at once; throws NatsUnavailable when no server answers and NatsError for anything
  // else (bad URL, authentication), naming the servers without credentials.
  NatsConnection(const NatsAddress& address, ConnectionOptions options, std::shared_ptr<spdlog::logger> log);
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;
  ~NatsConnection();

  bool connected() const;

  // `listener` runs (on a libnats thread) if the connection closes for good while it is
  // registered: libnats gives up only when the server refuses our credentials twice, and then
  // nothing it holds will ever complete. Listeners must be short and must not (un)register any.
  size_t add_closed_listener(std::function<void()> listener);
  // Returns once `id` will not run any more (waits for a run in progress).
  void remove_closed_listener(size_t id);
  const std::string& servers() const { return servers_; }  // redacted, for messages
  natsConnection* raw() const { return connection_.get(); }
  // A JetStream context on this connection (`options` may be null); throws NatsError.
  JetStreamHandle jetstream(jsOptions* options) const;

  struct CallbackState;  // what the library's callbacks share; defined in the .cpp

 private:
  std::string servers_;
  std::shared_ptr<CallbackState> state_;  // shared with the library's callbacks
  ConnectionHandle connection_;
};

}  // namespace ninja::events::nats

#include "events/nats/nats_connection.hpp"

#include <spdlog/logger.h>

#include "events/nats/nats_error.hpp"

namespace ninja::events::nats {
namespace {

// What the connection's callbacks need. libnats calls them on its own thread, possibly after
// natsConnection_Destroy() has returned, and the closed callback comes last; so this lives on the
// heap and the closed callback deletes it.
struct CallbackState {
  std::shared_ptr<spdlog::logger> log;
  std::string servers;
};

void on_disconnected(natsConnection* /*connection*/, void* closure) {
  auto* state = static_cast<CallbackState*>(closure);
  state->log->warn("NATS connection to {} lost; reconnecting", state->servers);
}

void on_reconnected(natsConnection* /*connection*/, void* closure) {
  auto* state = static_cast<CallbackState*>(closure);
  state->log->info("NATS connection restored ({})", state->servers);
}

void on_closed(natsConnection* /*connection*/, void* closure) {
  auto* state = static_cast<CallbackState*>(closure);
  state->log->debug("NATS connection to {} closed", state->servers);
  delete state;
}

void on_async_error(natsConnection* /*connection*/, natsSubscription* /*subscription*/, natsStatus error,
                    void* closure) {
  auto* state = static_cast<CallbackState*>(closure);
  state->log->warn("NATS asynchronous error on {}: {}", state->servers, natsStatus_GetText(error));
}

OptionsHandle make_options(const NatsAddress& address, const ConnectionOptions& options, CallbackState* state) {
  natsOptions* raw = nullptr;
  check(natsOptions_Create(&raw), "create connection options");
  OptionsHandle handle(raw);
  const std::string& shown = address.redacted();
  check(natsOptions_SetURL(raw, address.servers().c_str()), "set the server URL " + shown);
  check(natsOptions_SetName(raw, options.name.c_str()), "set the connection name");
  check(natsOptions_SetTimeout(raw, options.connect_timeout.count()), "set the connect timeout");
  check(natsOptions_SetAllowReconnect(raw, true), "allow reconnects");
  check(natsOptions_SetMaxReconnect(raw, -1), "set unlimited reconnects");
  check(natsOptions_SetReconnectWait(raw, options.reconnect_wait.count()), "set the reconnect wait");
  check(natsOptions_SetPingInterval(raw, options.ping_interval.count()), "set the ping interval");
  check(natsOptions_SetMaxPingsOut(raw, options.max_pings_out), "set the max pings out");
  check(natsOptions_SetDisconnectedCB(raw, on_disconnected, state), "set the disconnected callback");
  check(natsOptions_SetReconnectedCB(raw, on_reconnected, state), "set the reconnected callback");
  check(natsOptions_SetClosedCB(raw, on_closed, state), "set the closed callback");
  check(natsOptions_SetErrorHandler(raw, on_async_error, state), "set the error handler");
  return handle;
}

}  // namespace

NatsConnection::NatsConnection(const NatsAddress& address, ConnectionOptions options,
                               std::shared_ptr<spdlog::logger> log)
    : servers_(address.redacted()) {
  auto state = std::make_unique<CallbackState>(CallbackState{std::move(log), servers_});
  const OptionsHandle nats_options = make_options(address, options, state.get());
  natsConnection* raw = nullptr;
  check(natsConnection_Connect(&raw, nats_options.get()), "connect to " + servers_);
  connection_.reset(raw);
  state.release();  // from now on owned by on_closed()
}

NatsConnection::~NatsConnection() = default;  // natsConnection_Destroy flushes, then closes

bool NatsConnection::connected() const {
  return natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
}

JetStreamHandle NatsConnection::jetstream(jsOptions* options) const {
  jsCtx* raw = nullptr;
  check(natsConnection_JetStream(&raw, connection_.get(), options), "create a JetStream context");
  return JetStreamHandle(raw);
}

}  // namespace ninja::events::nats

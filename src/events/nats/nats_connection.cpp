#include "events/nats/nats_connection.hpp"

#include <spdlog/logger.h>

#include <atomic>
#include <map>
#include <mutex>

#include "events/nats/nats_error.hpp"

namespace ninja::events::nats {

struct NatsConnection::CallbackState {
  std::shared_ptr<spdlog::logger> log;
  std::string servers;
  std::atomic<bool> closing{false};  // we close it: not an error
  std::mutex mutex;
  std::map<size_t, std::function<void()>> closed_listeners;
  size_t next_listener = 0;
};

namespace {

using State = NatsConnection::CallbackState;

// libnats calls these on its own thread, possibly after natsConnection_Destroy() has returned; the
// closed callback comes last. So each closure is a heap-held share of the state, dropped by it.
State& state_of(void* closure) { return **static_cast<std::shared_ptr<State>*>(closure); }

void on_disconnected(natsConnection* /*connection*/, void* closure) {
  const State& state = state_of(closure);
  if (state.closing) return;  // our own close, not a loss
  state.log->warn("NATS connection to {} lost; reconnecting", state.servers);
}

void on_reconnected(natsConnection* /*connection*/, void* closure) {
  const State& state = state_of(closure);
  state.log->info("NATS connection restored ({})", state.servers);
}

void on_closed(natsConnection* /*connection*/, void* closure) {
  const std::unique_ptr<std::shared_ptr<State>> share(static_cast<std::shared_ptr<State>*>(closure));
  State& state = **share;
  if (state.closing) {
    state.log->debug("NATS connection to {} closed", state.servers);
    return;
  }
  state.log->error("NATS connection to {} closed for good (credentials refused?); restart the process", state.servers);
  std::lock_guard lock(state.mutex);
  for (auto& [id, listener] : state.closed_listeners) listener();
}

void on_async_error(natsConnection* /*connection*/, natsSubscription* /*subscription*/, natsStatus error,
                    void* closure) {
  const State& state = state_of(closure);
  state.log->warn("NATS asynchronous error on {}: {}", state.servers, natsStatus_GetText(error));
}

OptionsHandle make_options(const NatsAddress& address, const ConnectionOptions& options, void* state) {
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
    : servers_(address.redacted()), state_(std::make_shared<CallbackState>()) {
  state_->log = std::move(log);
  state_->servers = servers_;
  auto share = std::make_unique<std::shared_ptr<CallbackState>>(state_);
  const OptionsHandle nats_options = make_options(address, options, share.get());
  natsConnection* raw = nullptr;
  check(natsConnection_Connect(&raw, nats_options.get()), "connect to " + servers_);
  connection_.reset(raw);
  share.release();  // from now on dropped by on_closed()
}

NatsConnection::~NatsConnection() {
  state_->closing = true;
  connection_.reset();  // natsConnection_Destroy flushes, then closes
}

size_t NatsConnection::add_closed_listener(std::function<void()> listener) {
  std::lock_guard lock(state_->mutex);
  state_->closed_listeners.emplace(state_->next_listener, std::move(listener));
  return state_->next_listener++;
}

void NatsConnection::remove_closed_listener(size_t id) {
  std::lock_guard lock(state_->mutex);  // on_closed() runs listeners under this lock
  state_->closed_listeners.erase(id);
}

bool NatsConnection::connected() const {
  return natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED;
}

JetStreamHandle NatsConnection::jetstream(jsOptions* options) const {
  jsCtx* raw = nullptr;
  check(natsConnection_JetStream(&raw, connection_.get(), options), "create a JetStream context");
  return JetStreamHandle(raw);
}

}  // namespace ninja::events::nats

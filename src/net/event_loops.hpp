#pragma once
// The process's event loops: N Asio io_contexts, one thread each. The HTTP server and the
// PostgreSQL pool share them, so a request read on loop i is sent to the store, answered and
// written back on loop i's thread: no hand-off between threads, no wake-up of another thread.
//
// Owners of work on the loops (the server, the store's connections) must finish it before stop():
// what is still queued then is destroyed without running. Asio stays out of this header (only the
// io_context is named), so including it costs nothing.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ninja::net {

class EventLoops {
 public:
  // Starts `count` loops (at least one), their threads named `name`-0, `name`-1, …
  EventLoops(size_t count, const std::string& name);
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;
  ~EventLoops();  // stop()

  size_t size() const { return loops_.size(); }
  boost::asio::io_context& context(size_t index);
  // The index of the loop whose thread is calling, or nullopt on any other thread.
  std::optional<size_t> current() const;

  // Stops every loop and joins its thread. Idempotent; never from a loop's own thread (throws
  // std::logic_error there).
  void stop();

 private:
  struct Loop;
  std::vector<std::unique_ptr<Loop>> loops_;
  bool stopped_ = false;
};

}  // namespace ninja::net

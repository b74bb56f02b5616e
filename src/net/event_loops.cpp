#include "net/event_loops.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <stdexcept>
#include <thread>

#include "util/thread_name.hpp"

namespace ninja::net {

namespace asio = boost::asio;

struct EventLoops::Loop {
  // Concurrency hint 1: one thread runs it, so posts from that thread go to a private queue with
  // no lock and no wake-up.
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;
};

EventLoops::EventLoops(size_t count, const std::string& name) {
  for (size_t i = 0; i < std::max<size_t>(1, count); ++i) loops_.push_back(std::make_unique<Loop>());
  for (size_t i = 0; i < loops_.size(); ++i) {
    loops_[i]->thread = std::thread([&io = loops_[i]->io, thread_name = name + "-" + std::to_string(i)] {
      util::name_this_thread(thread_name);
      io.run();
    });
  }
}

EventLoops::~EventLoops() { stop(); }

asio::io_context& EventLoops::context(size_t index) { return loops_.at(index)->io; }

std::optional<size_t> EventLoops::current() const {
  for (size_t i = 0; i < loops_.size(); ++i) {
    if (loops_[i]->io.get_executor().running_in_this_thread()) return i;
  }
  return std::nullopt;
}

void EventLoops::stop() {
  if (stopped_) return;
  if (current()) throw std::logic_error("EventLoops::stop on one of the loops' own threads");
  stopped_ = true;
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io.stop();
  }
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

}  // namespace ninja::net

#include "net/event_loops.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

namespace ninja::net {
namespace {

// Runs `f` on loop `index` and waits for its result.
template <class F>
auto on_loop(EventLoops& loops, size_t index, F f) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto result = task.get_future();
  boost::asio::post(loops.context(index), [&task] { task(); });
  return result.get();
}

std::string thread_name() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(EventLoops, CurrentIsTheIndexOfTheCallingLoopAndNulloptElsewhere) {
  EventLoops loops(3, "test");
  ASSERT_EQ(loops.size(), 3u);
  EXPECT_EQ(loops.current(), std::nullopt);
  for (size_t i = 0; i < loops.size(); ++i) {
    EXPECT_EQ(on_loop(loops, i, [&] { return loops.current(); }), std::optional<size_t>(i));
  }
  std::optional<size_t> elsewhere = 0;
  std::thread([&] { elsewhere = loops.current(); }).join();
  EXPECT_EQ(elsewhere, std::nullopt);
}

TEST(EventLoops, EachLoopHasAThreadOfItsOwnNamedAfterIt) {
  EventLoops loops(2, "io");
  std::set<std::thread::id> threads;
  for (size_t i = 0; i < loops.size(); ++i) {
    threads.insert(on_loop(loops, i, [] { return std::this_thread::get_id(); }));
    EXPECT_EQ(on_loop(loops, i, [] { return thread_name(); }), "io-" + std::to_string(i));
  }
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(EventLoops, AtLeastOneLoop) {
  EventLoops loops(0, "one");
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_EQ(on_loop(loops, 0, [&] { return loops.current(); }), std::optional<size_t>(0));
}

TEST(EventLoops, AnIdleLoopKeepsRunningUntilStopped) {
  EventLoops loops(1, "idle");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // nothing queued: run() must not return
  EXPECT_FALSE(loops.context(0).stopped());
  EXPECT_TRUE(on_loop(loops, 0, [] { return true; }));
}

TEST(EventLoops, StopJoinsTheThreadsAndIsIdempotent) {
  EventLoops loops(2, "stop");
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  // A handler running when stop() is called finishes first: stop joins, it does not abandon.
  boost::asio::post(loops.context(1), [&] {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  entered.get_future().wait();
  loops.stop();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(loops.context(0).stopped());
  EXPECT_TRUE(loops.context(1).stopped());
  loops.stop();
  // What is posted after stop never runs (and is destroyed with the loops).
  bool ran = false;
  boost::asio::post(loops.context(0), [&] { ran = true; });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(ran);
}

TEST(EventLoops, StopFromALoopsOwnThreadIsRefused) {
  EventLoops loops(1, "self");
  EXPECT_TRUE(on_loop(loops, 0, [&] {
    try {
      loops.stop();
      return false;
    } catch (const std::logic_error&) {
      return true;
    }
  }));
  EXPECT_FALSE(loops.context(0).stopped());
}

}  // namespace
}  // namespace ninja::net

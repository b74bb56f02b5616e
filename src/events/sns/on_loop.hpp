#pragma once
// Runs a function on an event loop's thread and waits until it ran: how the SNS bus's parts close
// their state where their completions run, so that after it no completion of theirs touches an
// AWS client that is going away. Inline when called on the loop, or when the loop has stopped.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <utility>

namespace ninja::events::sns {

template <class Function>
void run_on_loop(boost::asio::io_context& io, Function&& function) {
  if (io.get_executor().running_in_this_thread() || io.stopped()) {
    function();
    return;
  }
  std::promise<void> ran;
  boost::asio::post(io, [&] {
    function();
    ran.set_value();
  });
  ran.get_future().wait();
}

}  // namespace ninja::events::sns

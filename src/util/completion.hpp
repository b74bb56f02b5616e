#pragma once
// The one asynchronous style of the ports: a call starts the work and returns; its completion is
// called exactly once, later or before the call returns, on whatever thread finished the work,
// with the result or (and then a default result) the error. Completions must be short and must
// never throw: they hand results on (an HTTP response to its connection's thread, say).
#include <exception>
#include <functional>
#include <future>
#include <utility>

namespace ninja::util {

template <class T>
using Completion = std::function<void(T result, std::exception_ptr error)>;

// The completion of work that has no result.
using Done = std::function<void(std::exception_ptr error)>;

// Runs an asynchronous call and waits for its completion: returns the result or rethrows the error.
// For the relay's and the notifier's own threads, admin commands and tests. Never call it on a
// thread the completion may need (an HTTP I/O thread, a store's own thread, inside a completion).
template <class T, class Start>
T await_result(Start&& start) {
  std::promise<T> promise;
  auto future = promise.get_future();
  std::forward<Start>(start)(Completion<T>([&promise](T result, std::exception_ptr error) {
    if (error) {
      promise.set_exception(std::move(error));
    } else {
      promise.set_value(std::move(result));
    }
  }));
  return future.get();
}

template <class Start>
void await_done(Start&& start) {
  std::promise<void> promise;
  auto future = promise.get_future();
  std::forward<Start>(start)(Done([&promise](std::exception_ptr error) {
    if (error) {
      promise.set_exception(std::move(error));
    } else {
      promise.set_value();
    }
  }));
  future.get();
}

}  // namespace ninja::util

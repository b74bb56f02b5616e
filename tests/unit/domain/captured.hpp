#pragma once
// Records what a domain::CreateDone delivered, for tests of the asynchronous create flow.
#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <thread>

#include "domain/idempotent_create.hpp"

namespace ninja::domain::testing_support {

// What a CreateDone delivered, and how often it was called.
struct Captured {
  int calls = 0;
  CreateResult result;
  std::exception_ptr error;
  std::thread::id thread;

  CreateDone done() {
    return [this](CreateResult r, std::exception_ptr e) {
      ++calls;
      result = std::move(r);
      error = std::move(e);
      thread = std::this_thread::get_id();
    };
  }
  // The result, or the error rethrown; fails the test unless done ran exactly once.
  CreateResult get() const {
    EXPECT_EQ(calls, 1) << "done must be called exactly once";
    if (calls == 0) throw std::logic_error("done was never called");
    if (error) std::rethrow_exception(error);
    return result;
  }
};

}  // namespace ninja::domain::testing_support

#pragma once
// The runtime's loop: next invocation → handler → response or error, until the Runtime API fails.
#include <functional>
#include <string>

#include "lambda/invocation.hpp"

namespace spdlog {
class logger;
}

namespace ninja::lambda {

class RuntimeClient;

// Handles one invocation and returns the response document. It throws to fail the invocation: an
// InvocationError with its type, anything else as Function.HandlerFailed.
using InvocationHandler = std::function<std::string(const Invocation&)>;

// Returns (1) only when the Runtime API cannot be reached or answers nonsense: the process then
// exits and Lambda starts a new environment. A reply refused as too late (the invocation timed
// out meanwhile) or as invalid is logged, and the loop goes on.
int run_invocations(RuntimeClient& client, const InvocationHandler& handler, spdlog::logger& log);

}  // namespace ninja::lambda

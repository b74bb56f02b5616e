#pragma once
// The message of an error handed to a completion, for a log line.
#include <exception>
#include <string>

namespace ninja::util {

inline std::string error_text(const std::exception_ptr& error) {
  if (!error) return "no error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace ninja::util

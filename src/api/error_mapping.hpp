#pragma once
#include <cstddef>
#include <exception>

#include "http/message.hpp"

namespace ninja::api {

// A 422 lists at most this many field errors (the detail counts them all).
constexpr size_t kMaxListedErrors = 100;

// The single translation of domain and decoding errors into problem responses; anything unknown
// is a 500 that reveals nothing.
http::Response map_exception(std::exception_ptr error);

}  // namespace ninja::api

#pragma once
#include <exception>

#include "http/message.hpp"

namespace ninja::api {

// The single translation of domain and decoding errors into problem responses; anything unknown
// is a 500 that reveals nothing.
http::Response map_exception(std::exception_ptr error);

}  // namespace ninja::api

#pragma once
// A parsed Beast request as the transport-neutral http::Request: path and percent-decoded query
// (target_decoding.hpp), header names lower-cased. Included by server.cpp only, so Beast stays out of every other
// translation unit.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

#include "http/message.hpp"

namespace ninja::http {

Request to_request(boost::beast::http::request<boost::beast::http::string_body>&& message, const std::string& remote);

}  // namespace ninja::http

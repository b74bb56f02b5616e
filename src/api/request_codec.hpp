#pragma once
// JSON bodies → domain commands (strict: every type, enum and range problem is a named field error).
#include <boost/json/object.hpp>

#include "domain/commands.hpp"

namespace ninja::api {

domain::CreateUser decode_create_user(const boost::json::object& body);
domain::CreateOrder decode_create_order(const boost::json::object& body);

}  // namespace ninja::api

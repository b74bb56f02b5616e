// Untrusted request bodies → JSON → create commands → validation. The only exceptions allowed are
// the ones the API maps to 400/422; anything else would be a 500 (or a crash) on hostile input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_input.hpp"
#include "api/request_codec.hpp"
#include "domain/errors.hpp"
#include "domain/validation.hpp"

namespace {

template <class Decode>
void decode_and_validate(const boost::json::object& body, Decode decode) {
  try {
    const auto command = decode(body);
    (void)ninja::domain::validate(command);
  } catch (const ninja::domain::ValidationError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ninja::http::Request request;
  request.method = "POST";
  request.headers.push_back({"content-type", "application/json"});
  request.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    const auto body = ninja::api::parse_json_object(request);
    decode_and_validate(body, ninja::api::decode_create_user);
    decode_and_validate(body, ninja::api::decode_create_order);
  } catch (const ninja::api::MalformedJson&) {
  }
  return 0;
}

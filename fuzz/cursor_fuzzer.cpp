// Untrusted `cursor` query values → decode_cursor. A cursor that decodes must be the canonical
// encoding of its id, and encoding an id decodes back to it exactly when the id is a canonical UUID.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/request_context.hpp"
#include "util/uuid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto id = ninja::api::decode_cursor(input)) {
    if (ninja::api::encode_cursor(*id) != input) __builtin_trap();
  }
  const auto canonical = ninja::util::canonical_uuid(input);
  const auto round_trip = ninja::api::decode_cursor(ninja::api::encode_cursor(input));
  const bool expected = canonical && *canonical == input;
  if (round_trip.has_value() != expected || (round_trip && *round_trip != input)) __builtin_trap();
  return 0;
}

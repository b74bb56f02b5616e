#pragma once
// OpenSSL-backed primitives.
#include <string>
#include <string_view>

namespace ninja::util {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// `count` bytes from the OS-seeded CSPRNG; throws std::runtime_error if it fails.
std::string random_bytes(size_t count);

}  // namespace ninja::util

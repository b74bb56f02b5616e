#pragma once
// OpenSSL-backed primitives.
#include <string>
#include <string_view>

namespace ninja::util {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Compares in time that depends only on the lengths, not on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);
// `count` bytes from the OS-seeded CSPRNG; throws std::runtime_error if it fails.
std::string random_bytes(size_t count);

}  // namespace ninja::util

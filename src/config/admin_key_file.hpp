#pragma once
// The admin credential of `serve --admin-key-file`: one key on one line of a file, read once at
// start. The key guards /admin/v1 and is accepted on /v1 (http/admin_access.hpp).
#include <cstddef>
#include <string>

namespace ninja::config {

// Shorter keys are refused: 32 characters of `openssl rand -hex 32` are 128 bits.
inline constexpr size_t kMinAdminKeyLength = 32;

// The key in `path`, surrounding whitespace removed. Throws std::invalid_argument naming the file
// and what is wrong (unreadable, empty, more than one line, too short, not printable ASCII) but
// never the file's content: the message is logged.
std::string read_admin_key_file(const std::string& path);

}  // namespace ninja::config

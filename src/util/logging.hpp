#pragma once
// Loggers writing one JSON object per line to stderr. Application messages are plain text placed
// (escaped) in "msg"; the access logger's messages are pre-built JSON fields.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace ninja::util {

struct Loggers {
  std::shared_ptr<spdlog::logger> app;
  std::shared_ptr<spdlog::logger> access;  // null when the access log is off
};

// `level` is one of trace, debug, info, warn, error, off. Throws std::invalid_argument otherwise.
Loggers make_loggers(std::string_view level, bool access_log);

// Appends `text` as a JSON string literal: quoted, control characters escaped, valid UTF-8 kept
// as it is and every other byte replaced by U+FFFD, so any input (a hostile path, say) yields
// valid JSON.
void append_json_string(std::string& out, std::string_view text);

}  // namespace ninja::util

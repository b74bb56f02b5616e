#pragma once
#include <memory>
#include <optional>
#include <string>

#include "storage/store.hpp"

namespace ninja::storage {

struct StoreSettings {
  std::string url;     // sqlite:PATH (postgres:// and dynamodb:// arrive with their issues)
  size_t readers = 8;  // concurrent readers the caller will use
};

// Opens the store named by the URL and brings its schema up to date. Throws std::invalid_argument
// for an unknown or unsupported URL.
std::unique_ptr<Store> make_store(const StoreSettings& settings);

// The file path of a sqlite: URL, or nullopt for other schemes.
std::optional<std::string> sqlite_path(const std::string& url);

}  // namespace ninja::storage

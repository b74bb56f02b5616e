#include "storage/make_store.hpp"

#include <stdexcept>

#include "storage/sqlite/sqlite_api_keys.hpp"
#include "storage/sqlite/sqlite_deliveries.hpp"
#include "storage/sqlite/sqlite_outbox.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace ninja::storage {

std::optional<std::string> sqlite_path(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite:";
  if (url.rfind(kScheme, 0) != 0) return std::nullopt;
  std::string path = url.substr(kScheme.size());
  // Accept sqlite:///abs/path and sqlite://rel as well as the plain sqlite:PATH form.
  if (path.rfind("//", 0) == 0) path.erase(0, 2);
  if (path.empty()) throw std::invalid_argument("store URL " + url + " names no file");
  return path;
}

Storage open_storage(const StoreSettings& settings) {
  if (auto path = sqlite_path(settings.url)) {
    auto file = std::make_shared<sqlite::SqliteFile>(sqlite::SqliteOptions{*path, settings.readers, 256});
    return {std::make_unique<sqlite::SqliteStore>(file), std::make_unique<sqlite::SqliteOutbox>(file),
            std::make_unique<sqlite::SqliteDeliveries>(file), std::make_unique<sqlite::SqliteApiKeys>(file)};
  }
  if (settings.url.rfind("postgres", 0) == 0 || settings.url.rfind("dynamodb:", 0) == 0) {
    throw std::invalid_argument("store " + settings.url + " is not supported by this build yet (use sqlite:PATH)");
  }
  throw std::invalid_argument("unknown store URL " + settings.url + " (expected sqlite:PATH)");
}

std::unique_ptr<Store> make_store(const StoreSettings& settings) { return open_storage(settings).store; }

}  // namespace ninja::storage

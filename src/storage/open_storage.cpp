#include "storage/open_storage.hpp"

#include <stdexcept>
#include <thread>

#include "storage/dynamodb/dynamodb_storage.hpp"
#include "storage/dynamodb/dynamodb_url.hpp"
#include "storage/postgres/pg_storage.hpp"
#include "storage/sqlite/sqlite_storage.hpp"
#include "util/redact.hpp"

namespace ninja::storage {
namespace {

// The file path of a sqlite: URL (sqlite:PATH, sqlite://PATH, sqlite:///abs/path), or nullopt.
std::optional<std::string> sqlite_path(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite:";
  if (url.rfind(kScheme, 0) != 0) return std::nullopt;
  std::string path = url.substr(kScheme.size());
  if (path.rfind("//", 0) == 0) path.erase(0, 2);
  if (path.empty()) throw std::invalid_argument("store URL " + util::redact_credentials(url) + " names no file");
  return path;
}

Storage open_sqlite(const std::string& path, const StorageOptions& options) {
  const size_t readers =
      options.connections > 0 ? options.connections : std::max<size_t>(2, std::thread::hardware_concurrency());
  return sqlite::sqlite_storage(
      std::make_shared<sqlite::SqliteFile>(sqlite::SqliteOptions{path, readers, 256, options.metrics}));
}

}  // namespace

Storage open_storage(const StorageOptions& options) {
  if (auto path = sqlite_path(options.url)) return open_sqlite(*path, options);
  if (postgres::is_postgres_url(options.url)) return postgres::postgres_storage(options);
  if (dynamodb::is_dynamodb_url(options.url)) return dynamodb::dynamodb_storage(options);
  throw std::invalid_argument("unknown store URL " + util::redact_credentials(options.url) +
                              " (expected sqlite:PATH, postgres://... or dynamodb://REGION?endpoint=URL&prefix=P)");
}

}  // namespace ninja::storage

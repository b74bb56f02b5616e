#pragma once
#include <memory>
#include <optional>
#include <string>

#include "storage/api_key_store.hpp"
#include "storage/delivery_store.hpp"
#include "storage/outbox.hpp"
#include "storage/store.hpp"

namespace ninja::storage {

struct StoreSettings {
  std::string url;     // sqlite:PATH (postgres:// and dynamodb:// arrive with their issues)
  size_t readers = 8;  // concurrent readers the caller will use
};

// Every view of one backend: the entities, the outbox the relay drains and the notifier's
// deliveries. They share the backend's connections.
struct Storage {
  std::unique_ptr<Store> store;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<DeliveryStore> deliveries;
  std::unique_ptr<ApiKeyStore> api_keys;
};

// Opens the backend named by the URL and brings its schema up to date. Throws
// std::invalid_argument for an unknown or unsupported URL.
Storage open_storage(const StoreSettings& settings);
// The entity store alone (tools and tests).
std::unique_ptr<Store> make_store(const StoreSettings& settings);

// The file path of a sqlite: URL, or nullopt for other schemes.
std::optional<std::string> sqlite_path(const std::string& url);

}  // namespace ninja::storage

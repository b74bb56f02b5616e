#pragma once
// API keys on DynamoDB (<P>api_keys, PK id): their hashes and usage plans, never the keys. Servers
// read the whole table every few hundred milliseconds (app/api_key_cache.hpp): a Scan of a handful
// of small items, half a read unit each time.
#include <memory>

#include "domain/api_key_store.hpp"
#include "storage/dynamodb/dynamodb_shared.hpp"

namespace ninja::storage::dynamodb {

class DynamoDbApiKeys final : public domain::ApiKeyStore {
 public:
  explicit DynamoDbApiKeys(std::shared_ptr<DynamoDbShared> shared);

  void add_api_key(domain::ApiKey key, util::Done done) override;
  void list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) override;
  void revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) override;

 private:
  std::shared_ptr<DynamoDbShared> shared_;
};

}  // namespace ninja::storage::dynamodb

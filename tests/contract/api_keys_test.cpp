// ApiKeyStore contract: keys round-trip with their usage plans, ids are unique, revocation is
// recorded once, and everything survives a restart.
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using domain::ApiKey;

template <class Backend>
class ApiKeys : public StoreContract<Backend> {
 protected:
  ApiKey make_key(const std::string& id, std::optional<double> rate = std::nullopt,
                  std::optional<double> burst = std::nullopt) {
    ApiKey key;
    key.id = id;
    key.name = "key " + id;
    key.hash = std::string(64, 'a');
    key.rate = rate;
    key.burst = burst;
    key.created_at_ms = 1'800'000'000'000 + static_cast<int64_t>(id.size());
    return key;
  }
};

TYPED_TEST_SUITE(ApiKeys, StoreBackends, BackendName);

TYPED_TEST(ApiKeys, RoundTripWithAndWithoutUsagePlans) {
  this->api_keys().add_api_key(this->make_key("0000000000000001", 2.5, 10));
  this->api_keys().add_api_key(this->make_key("00000000000000022"));
  this->reopen();
  const auto keys = this->api_keys().list_api_keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, "0000000000000001");
  EXPECT_EQ(keys[0].name, "key 0000000000000001");
  EXPECT_EQ(keys[0].hash, std::string(64, 'a'));
  EXPECT_EQ(keys[0].rate, 2.5);
  EXPECT_EQ(keys[0].burst, 10);
  EXPECT_EQ(keys[0].created_at_ms, 1'800'000'000'016);
  EXPECT_FALSE(keys[0].revoked_at_ms.has_value());
  EXPECT_FALSE(keys[1].rate.has_value());
  EXPECT_FALSE(keys[1].burst.has_value());
}

TYPED_TEST(ApiKeys, IdsAreUnique) {
  this->api_keys().add_api_key(this->make_key("0000000000000001"));
  EXPECT_THROW(this->api_keys().add_api_key(this->make_key("0000000000000001")), std::invalid_argument);
  EXPECT_EQ(this->api_keys().list_api_keys().size(), 1u);
}

TYPED_TEST(ApiKeys, RevocationIsRecordedOnce) {
  this->api_keys().add_api_key(this->make_key("0000000000000001"));
  EXPECT_FALSE(this->api_keys().revoke_api_key("ffffffffffffffff", 5));
  EXPECT_TRUE(this->api_keys().revoke_api_key("0000000000000001", 100));
  EXPECT_TRUE(this->api_keys().revoke_api_key("0000000000000001", 200));
  this->reopen();
  const auto keys = this->api_keys().list_api_keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].revoked_at_ms, 100);
}

}  // namespace
}  // namespace ninja::contract

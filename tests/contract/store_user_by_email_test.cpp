// Store contract: find_user_by_email — the live user holding an email, compared as email
// uniqueness compares it (case-insensitively), found at once after its create, gone with its delete.
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreUserByEmail : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreUserByEmail, StoreBackends, BackendName);

TYPED_TEST(StoreUserByEmail, FindsTheUserRightAfterItsCreateWhateverTheCase) {
  const auto user = this->make_full_user();
  this->add_user(user);
  this->add_user();  // another user, not to be found
  std::string upper = user.email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& email : {user.email, upper}) {
    SCOPED_TRACE(email);
    const auto found = this->store().find_user_by_email(email);
    ASSERT_TRUE(found.has_value());
    expect_same_user(user, *found);
  }
}

TYPED_TEST(StoreUserByEmail, KeepsTheEmailAsGivenAndMatchesNoOtherEmail) {
  const auto user = this->make_user("Ann.Lee+tag@Example.com");
  this->add_user(user);
  const auto found = this->store().find_user_by_email("ann.lee+TAG@example.COM");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->email, "Ann.Lee+tag@Example.com");
  for (const std::string email : {"ann.lee@example.com", "nn.lee+tag@example.com", "ann.lee+tag@example.co",
                                  "Ann.Lee+tag@Example.com ", "%", "_nn.lee+tag@example.com", ""}) {
    SCOPED_TRACE(email);
    EXPECT_FALSE(this->store().find_user_by_email(email).has_value());
  }
}

TYPED_TEST(StoreUserByEmail, UnknownAndHostileEmailsFindNothing) {
  EXPECT_FALSE(this->store().find_user_by_email("nobody@example.com").has_value());
  this->add_user(this->make_user("someone@example.com"));
  for (const std::string& email : {std::string("nobody@example.com"), std::string("' OR 1=1 --"),
                                   std::string("名前@例え.jp"), std::string(5000, 'a'), std::string("email#x")}) {
    EXPECT_FALSE(this->store().find_user_by_email(email).has_value()) << email.substr(0, 40);
  }
}

TYPED_TEST(StoreUserByEmail, ADeletedUserIsNotFoundAndANewOwnerOfTheEmailIs) {
  const auto first = this->make_user("Bob@Example.com");
  this->add_user(first);
  ASSERT_TRUE(this->store().delete_user(first.id, this->deleted_event(events::kUserDeleted, first.id)));
  EXPECT_FALSE(this->store().find_user_by_email("bob@example.com").has_value());

  const auto second = this->make_user("BOB@example.com");
  this->add_user(second);
  const auto found = this->store().find_user_by_email("bob@example.com");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, second.id);
}

TYPED_TEST(StoreUserByEmail, NonAsciiLettersAreComparedExactly) {
  // Uniqueness lower-cases ASCII only, so the lookup does too: É and é are different emails.
  const auto user = this->make_user("zoë@exämple.com");
  this->add_user(user);
  EXPECT_TRUE(this->store().find_user_by_email("ZOë@EXäMPLE.COM").has_value());
  EXPECT_FALSE(this->store().find_user_by_email("zoË@exÄmple.com").has_value());
}

}  // namespace
}  // namespace ninja::contract

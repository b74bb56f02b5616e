#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "api/request_codec.hpp"
#include "domain/errors.hpp"

namespace ninja::api {
namespace {

using domain::FieldError;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

boost::json::object object(std::string_view text) { return boost::json::parse(text).as_object(); }

template <class Decode>
std::vector<FieldError> errors_of(Decode decode, std::string_view text) {
  try {
    decode(object(text));
  } catch (const domain::ValidationError& e) {
    return e.errors();
  }
  ADD_FAILURE() << "expected a ValidationError for " << text;
  return {};
}

std::vector<FieldError> user_errors(std::string_view text) { return errors_of(decode_create_user, text); }
std::vector<FieldError> order_errors(std::string_view text) { return errors_of(decode_create_order, text); }

std::vector<std::string> fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

constexpr std::string_view kUser = "0190f2a4-1b2c-7d3e-8f40-123456789abc";

std::string order_with_items(std::string_view items) {
  return std::string(R"({"user_id":")") + std::string(kUser) + R"(","items":)" + std::string(items) + "}";
}

// ---- users ---------------------------------------------------------------------------------------

TEST(DecodeCreateUser, AllFields) {
  const auto c = decode_create_user(object(
      R"({"name":"Ada","email":"ada@example.com","phone":"+15551234567","notify_channel":"webhook","webhook_url":"https://h.example.com/x"})"));
  EXPECT_EQ(c.name, "Ada");
  EXPECT_EQ(c.email, "ada@example.com");
  EXPECT_EQ(c.phone, "+15551234567");
  EXPECT_EQ(c.notify_channel, domain::NotifyChannel::webhook);
  EXPECT_EQ(c.webhook_url, "https://h.example.com/x");
}

TEST(DecodeCreateUser, DefaultsAndNullMeansAbsent) {
  const auto c =
      decode_create_user(object(R"({"name":"Ada","email":"ada@example.com","phone":null,"notify_channel":null})"));
  EXPECT_EQ(c.phone, std::nullopt);
  EXPECT_EQ(c.webhook_url, std::nullopt);
  EXPECT_EQ(c.notify_channel, domain::NotifyChannel::email);
}

TEST(DecodeCreateUser, DecodingDoesNotApplyBusinessRulesWhenTypesAreRight) {
  // Rules are the service's job; a well-typed body decodes even with bad values.
  const auto c = decode_create_user(object(R"({"name":"","email":"nope"})"));
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.email, "nope");
}

TEST(DecodeCreateUser, MissingRequiredFields) {
  const auto errors = user_errors("{}");
  EXPECT_THAT(errors, ElementsAre(FieldError{"name", "is required"}, FieldError{"email", "is required"}));
}

TEST(DecodeCreateUser, NullRequiredFieldIsMissing) {
  EXPECT_THAT(user_errors(R"({"name":null,"email":"a@b.co"})"), ElementsAre(FieldError{"name", "is required"}));
}

TEST(DecodeCreateUser, WrongTypes) {
  EXPECT_THAT(user_errors(R"({"name":5,"email":"a@b.co"})"),
              ElementsAre(FieldError{"name", "must be a string, not a number"}));
  EXPECT_THAT(user_errors(R"({"name":"A","email":["a@b.co"]})"),
              ElementsAre(FieldError{"email", "must be a string, not an array"}));
  EXPECT_THAT(user_errors(R"({"name":"A","email":"a@b.co","phone":{}})"),
              ElementsAre(FieldError{"phone", "must be a string, not an object"}));
  EXPECT_THAT(user_errors(R"({"name":"A","email":"a@b.co","notify_channel":true})"),
              ElementsAre(FieldError{"notify_channel", "must be a string, not a boolean"}));
  EXPECT_THAT(fields(user_errors(R"({"name":"A","email":"a@b.co","notify_channel":"webhook","webhook_url":1.5})")),
              ElementsAre("webhook_url"));
}

TEST(DecodeCreateUser, UnknownField) {
  EXPECT_THAT(user_errors(R"({"name":"A","email":"a@b.co","nickname":"x"})"),
              ElementsAre(FieldError{"nickname", "is not a known field"}));
}

TEST(DecodeCreateUser, FieldNamesAreCaseSensitive) {
  EXPECT_THAT(fields(user_errors(R"({"Name":"A","email":"a@b.co"})")), UnorderedElementsAre("Name", "name"));
}

TEST(DecodeCreateUser, BadEnum) {
  for (const char* channel : {"EMAIL", "log", "", "sms "}) {
    const std::string body = std::string(R"({"name":"A","email":"a@b.co","notify_channel":")") + channel + "\"}";
    const auto errors = user_errors(body);
    ASSERT_THAT(fields(errors), ElementsAre("notify_channel")) << channel;
    EXPECT_EQ(errors[0].message, "must be one of email, sms, webhook, none");
  }
}

TEST(DecodeCreateUser, ReportsEveryProblemAtOnce) {
  // Decode errors (unknown field, types, enum) plus the business-rule errors of the fields that decoded.
  const auto errors =
      user_errors(R"({"extra":1,"name":42,"email":"not-an-email","phone":"123","notify_channel":"pager"})");
  EXPECT_THAT(fields(errors), UnorderedElementsAre("extra", "name", "notify_channel", "email", "phone"));
}

TEST(DecodeCreateUser, FieldThatFailedToDecodeIsReportedOnce) {
  // "name" is also too short by the rules (it decoded to ""), but only the decode reason is given.
  const auto errors = user_errors(R"({"name":7,"email":"a@b.co"})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], (FieldError{"name", "must be a string, not a number"}));
  // A missing phone that sms needs and a wrongly typed phone give one phone error.
  const auto phone = user_errors(R"({"name":"A","email":"a@b.co","notify_channel":"sms","phone":5})");
  EXPECT_THAT(phone, ElementsAre(FieldError{"phone", "must be a string, not a number"}));
}

TEST(DecodeCreateUser, BadEnumDoesNotInventErrorsForValidFields) {
  // BUG: the partial command falls back to the default channel (email), so the rule "webhook_url is
  // only allowed with the webhook channel" fires for a perfectly good webhook_url.
  const auto errors =
      user_errors(R"({"name":"A","email":"a@b.co","notify_channel":"web-hook","webhook_url":"https://h.example.com/x"})");
  EXPECT_THAT(fields(errors), ElementsAre("notify_channel"));
}

// ---- orders --------------------------------------------------------------------------------------

TEST(DecodeCreateOrder, AllFields) {
  const auto c = decode_create_order(object(
      R"({"user_id":"0190F2A4-1B2C-7D3E-8F40-123456789ABC","items":[{"sku":"A","quantity":2,"unit_price":1999},{"sku":"B","quantity":1,"unit_price":0}],"currency":"EUR","note":"hi"})"));
  EXPECT_EQ(c.user_id, kUser);  // canonical lower case
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].sku, "A");
  EXPECT_EQ(c.items[0].quantity, 2);
  EXPECT_EQ(c.items[0].unit_price, 1999);
  EXPECT_EQ(c.items[1].sku, "B");
  EXPECT_EQ(c.currency, "EUR");
  EXPECT_EQ(c.note, "hi");
}

TEST(DecodeCreateOrder, DefaultsAndNulls) {
  const auto c = decode_create_order(
      object(order_with_items(R"([{"sku":"A","quantity":1,"unit_price":1}])").insert(1, R"("currency":null,"note":null,)")));
  EXPECT_EQ(c.currency, "USD");
  EXPECT_EQ(c.note, std::nullopt);
}

TEST(DecodeCreateOrder, NonUuidUserIdIsKeptForTheServiceToReject) {
  const auto c = decode_create_order(object(R"({"user_id":"bob","items":[{"sku":"A","quantity":1,"unit_price":1}]})"));
  EXPECT_EQ(c.user_id, "bob");
}

TEST(DecodeCreateOrder, EmptyItemsDecodeAndAreLeftToValidation) {
  EXPECT_TRUE(decode_create_order(object(order_with_items("[]"))).items.empty());
}

TEST(DecodeCreateOrder, MissingRequiredFields) {
  EXPECT_THAT(order_errors("{}"),
              ElementsAre(FieldError{"user_id", "is required"}, FieldError{"items", "is required"}));
  EXPECT_THAT(order_errors(order_with_items(R"([{}])")),
              ElementsAre(FieldError{"items[0].sku", "is required"}, FieldError{"items[0].quantity", "is required"},
                          FieldError{"items[0].unit_price", "is required"}));
}

TEST(DecodeCreateOrder, NonIntegerNumber) {
  EXPECT_THAT(order_errors(order_with_items(R"([{"sku":"A","quantity":1.5,"unit_price":1}])")),
              ElementsAre(FieldError{"items[0].quantity", "must be an integer"}));
  EXPECT_THAT(fields(order_errors(order_with_items(R"([{"sku":"A","quantity":2.0,"unit_price":1}])"))),
              ElementsAre("items[0].quantity"));
}

TEST(DecodeCreateOrder, IntegerOutOfInt64Range) {
  for (const char* big : {"18446744073709551615", "9223372036854775808", "1e30", "-9223372036854775809",
                          "100000000000000000000000000000"}) {
    const auto items = std::string(R"([{"sku":"A","quantity":1,"unit_price":)") + big + "}]";
    EXPECT_THAT(fields(order_errors(order_with_items(items))), ElementsAre("items[0].unit_price")) << big;
  }
  EXPECT_THAT(order_errors(order_with_items(R"([{"sku":"A","quantity":18446744073709551615,"unit_price":1}])")),
              ElementsAre(FieldError{"items[0].quantity", "is out of range"}));
}

TEST(DecodeCreateOrder, Int64ExtremesDecodeAndAreLeftToValidation) {
  const auto c = decode_create_order(object(
      order_with_items(R"([{"sku":"A","quantity":-9223372036854775808,"unit_price":9223372036854775807}])")));
  EXPECT_EQ(c.items[0].quantity, INT64_MIN);
  EXPECT_EQ(c.items[0].unit_price, INT64_MAX);
}

TEST(DecodeCreateOrder, WrongTypes) {
  EXPECT_THAT(order_errors(R"({"user_id":7,"items":{}})"),
              ElementsAre(FieldError{"user_id", "must be a string, not a number"},
                          FieldError{"items", "must be an array, not an object"}));
  EXPECT_THAT(order_errors(order_with_items(R"([{"sku":1,"quantity":"2","unit_price":true}])")),
              ElementsAre(FieldError{"items[0].sku", "must be a string, not a number"},
                          FieldError{"items[0].quantity", "must be an integer, not a string"},
                          FieldError{"items[0].unit_price", "must be an integer, not a boolean"}));
  EXPECT_THAT(fields(order_errors(order_with_items(R"([{"sku":"A","quantity":1,"unit_price":1}])").insert(1, R"("currency":840,)"))),
              ElementsAre("currency"));
  EXPECT_THAT(fields(order_errors(order_with_items(R"([{"sku":"A","quantity":1,"unit_price":1}])").insert(1, R"("note":false,)"))),
              ElementsAre("note"));
}

TEST(DecodeCreateOrder, ItemThatIsNotAnObject) {
  const auto errors = order_errors(order_with_items(R"([{"sku":"A","quantity":1,"unit_price":1},"B",null])"));
  EXPECT_THAT(errors, ElementsAre(FieldError{"items[1]", "must be an object"}, FieldError{"items[2]", "must be an object"}));
}

TEST(DecodeCreateOrder, UnknownFieldsAtEveryLevel) {
  const auto errors =
      order_errors(order_with_items(R"([{"sku":"A","quantity":1,"unit_price":1,"price":3}])").insert(1, R"("coupon":"X",)"));
  EXPECT_THAT(errors, UnorderedElementsAre(FieldError{"coupon", "is not a known field"},
                                           FieldError{"items[0].price", "is not a known field"}));
}

TEST(DecodeCreateOrder, ErrorPathsNameTheItemIndex) {
  const auto errors = order_errors(order_with_items(
      R"([{"sku":"A","quantity":1,"unit_price":1},{"sku":"B","quantity":1,"unit_price":1},{"sku":"C","quantity":"x","unit_price":1}])"));
  EXPECT_THAT(fields(errors), ElementsAre("items[2].quantity"));
}

TEST(DecodeCreateOrder, ReportsEveryProblemAtOnce) {
  const auto errors = order_errors(
      R"({"user_id":5,"items":[{"sku":"","quantity":1.5,"unit_price":1},{"sku":"B","quantity":5000,"unit_price":"9"}],"currency":"usd","note":7,"x":0})");
  EXPECT_THAT(fields(errors),
              UnorderedElementsAre("x", "user_id", "items[0].quantity", "items[1].unit_price", "note",
                                   // business-rule errors of fields that decoded fine:
                                   "items[0].sku", "items[1].quantity", "currency"));
}

TEST(DecodeCreateOrder, FieldThatFailedToDecodeIsReportedOnce) {
  // quantity 1.5 decodes to nothing (0), which the rules would flag too: one error, the decode reason.
  const auto errors = order_errors(order_with_items(R"([{"sku":"A","quantity":1.5,"unit_price":1}])"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be an integer");
  // items not an array: no "must hold 1–100 items" on top of it.
  EXPECT_THAT(order_errors(order_with_items("\"A\"")), ElementsAre(FieldError{"items", "must be an array, not a string"}));
  // an item that is not an object: no errors for its sku/quantity.
  EXPECT_THAT(order_errors(order_with_items("[1]")), ElementsAre(FieldError{"items[0]", "must be an object"}));
  // user_id of the wrong type: no "is required" as well.
  EXPECT_THAT(order_errors(R"({"user_id":[],"items":[{"sku":"A","quantity":1,"unit_price":1}]})"),
              ElementsAre(FieldError{"user_id", "must be a string, not an array"}));
}

std::string many_items(size_t n, std::string_view first) {
  std::string items = "[" + std::string(first);
  for (size_t i = 1; i < n; ++i) items += R"(,{"sku":"A","quantity":1,"unit_price":1})";
  return items + "]";
}

TEST(DecodeCreateOrder, TooManyItems) {
  const auto errors = order_errors(order_with_items(many_items(101, R"({"sku":"A","quantity":1,"unit_price":1})")));
  EXPECT_THAT(errors, ElementsAre(FieldError{"items", "must hold 1–100 items"}));
  EXPECT_NO_THROW(decode_create_order(object(order_with_items(many_items(100, R"({"sku":"A","quantity":1,"unit_price":1})")))));
}

TEST(DecodeCreateOrder, TooManyItemsStillNamesBadItems) {
  // BUG: with more than 100 items the "items" error suppresses every items[i].* rule error (prefix
  // dedup in merge_errors), though those items decoded fine and are offending fields.
  const auto errors = order_errors(order_with_items(many_items(101, R"({"sku":"A","quantity":0,"unit_price":1})")));
  EXPECT_THAT(fields(errors), UnorderedElementsAre("items", "items[0].quantity"));
}

TEST(DecodeCreateOrder, ItemsBeyondTheHundredthAreNotDecoded) {
  // Only the first 100 entries are looked at, so a huge array cannot produce a huge error list.
  std::string items = many_items(150, R"({"sku":"A","quantity":1,"unit_price":1})");
  items.insert(items.size() - 1, ",5");  // entry 150 is not an object
  EXPECT_THAT(order_errors(order_with_items(items)), ElementsAre(FieldError{"items", "must hold 1–100 items"}));
}

}  // namespace
}  // namespace ninja::api

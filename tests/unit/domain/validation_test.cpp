#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/validation.hpp"

namespace ninja::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(unit);
  return out;
}

CreateUser valid_user() {
  CreateUser u;
  u.name = "Ada Lovelace";
  u.email = "ada@example.com";
  return u;
}

CreateOrder valid_order() {
  CreateOrder o;
  o.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  o.items = {{"SKU-1", 2, 1999}};
  return o;
}

// ---- helpers -------------------------------------------------------------------------------------

TEST(CountCodePoints, CountsUtf8Characters) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("h\xC3\xA9llo"), 5u);       // é: 2 bytes
  EXPECT_EQ(count_code_points("\xE2\x82\xAC"), 1u);       // €: 3 bytes
  EXPECT_EQ(count_code_points("\xF0\x9F\x98\x80!"), 2u);  // 😀: 4 bytes
}

TEST(Trim, RemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  Ada \t\r\n"), "Ada");
  EXPECT_EQ(trim("A d a"), "A d a");
  EXPECT_EQ(trim(" \v\f "), "");
  EXPECT_EQ(trim(""), "");
}

// "after trimming" means Unicode white space too, as the OpenAPI pattern's \s (ECMAScript) reads it.
TEST(Trim, RemovesUnicodeWhiteSpaceAtBothEnds) {
  EXPECT_EQ(trim("\u3000"), "");
  EXPECT_EQ(trim("\u2028"), "");
  EXPECT_EQ(trim("\u00a0\u1680\u2000\u200a\u2029\u202f\u205f\ufeff"), "");
  EXPECT_EQ(trim("\u3000Hanzo\u00a0 "), "Hanzo");
  EXPECT_EQ(trim("Ha\u3000nzo"), "Ha\u3000nzo");  // inner space stays
  // Look-alikes that are not white space, and characters sharing their lead bytes, stay.
  EXPECT_EQ(trim("\u200b"), "\u200b");  // zero-width space is not \s
  EXPECT_EQ(trim("\u2010x\u2030"), "\u2010x\u2030");
  EXPECT_EQ(trim("\u3001"), "\u3001");
  EXPECT_EQ(trim("\u00e9"), "\u00e9");
  EXPECT_EQ(trim("\xe2\x80"), "\xe2\x80");  // a truncated sequence is not white space
}

TEST(IsPlausibleEmail, Accepts) {
  for (const char* ok : {"ada@example.com", "a.b+tag@sub.example.org", "x@y.io", "UPPER@EXAMPLE.COM"}) {
    EXPECT_TRUE(is_plausible_email(ok)) << ok;
  }
}

TEST(IsPlausibleEmail, Rejects) {
  for (const char* bad : {"", "plain", "a@b", "a@b.c", "@example.com", "a@", "a@@example.com", "a@b@example.com",
                          "a b@example.com", "ab@exa mple.com", "a@example..com", "a@-example.com", "a@.com",
                          "a@example.c0m", "a@example.com.", "a\x01@example.com", "a@example.com\n"}) {
    EXPECT_FALSE(is_plausible_email(bad)) << '"' << bad << '"';
  }
}

// What SMTP would read as more than one address, or as something else than the address itself.
TEST(IsPlausibleEmail, RejectsSpecialsAndQuotingInTheLocalPart) {
  for (const char* bad :
       {"postmaster>,<x@example.com", "a<b@example.com", "a>b@example.com", "a,b@example.com", "a;b@example.com",
        "a:b@example.com", "\"a b\"@example.com", "a\"b@example.com", "a(b)@example.com", "a[b]@example.com",
        "a\\b@example.com", ".a@example.com", "a.@example.com", "o..dd@example.com"}) {
    EXPECT_FALSE(is_plausible_email(bad)) << bad;
  }
  for (const char* ok : {"o.dd@example.com", "a!#$%&'*+-/=?^_`{|}~z@example.com", "x@xn--bcher-kva.example"}) {
    EXPECT_TRUE(is_plausible_email(ok)) << ok;
  }
}

TEST(IsPlausibleEmail, RejectsNonAsciiAndBadHostLabels) {
  for (const char* bad : {"jos\xc3\xa9@example.com",
                          "a@b\xc3\xbc"
                          "cher.example",
                          "a@example-.com", "a@ex_ample.com", "a@exa$mple.com"}) {
    EXPECT_FALSE(is_plausible_email(bad)) << bad;
  }
  EXPECT_TRUE(is_plausible_email("a@" + std::string(63, 'l') + ".com"));
  EXPECT_FALSE(is_plausible_email("a@" + std::string(64, 'l') + ".com"));
}

TEST(IsPlausibleEmail, DomainLabelsMustNotBeEmpty) {
  // "a@.com" is rejected, but an empty first label before further dots slips through.
  EXPECT_FALSE(is_plausible_email("a@.example.com"));
  EXPECT_FALSE(is_plausible_email("a@..com"));
}

TEST(IsPlausibleEmail, LengthLimits) {
  const std::string domain =
      repeat("d", 63) + "." + repeat("d", 63) + "." + repeat("d", 57) + ".com";  // 189 bytes, labels of at most 63
  EXPECT_TRUE(is_plausible_email(repeat("l", 64) + "@" + domain));               // 254 bytes
  EXPECT_FALSE(is_plausible_email(repeat("l", 64) + "@d" + domain));             // 255 bytes
  EXPECT_FALSE(is_plausible_email(repeat("l", 65) + "@example.com"));            // local part > 64
}

TEST(IsE164Phone, SevenToFifteenDigitsAfterPlus) {
  EXPECT_TRUE(is_e164_phone("+1234567"));
  EXPECT_TRUE(is_e164_phone("+123456789012345"));
  EXPECT_FALSE(is_e164_phone("+123456"));
  EXPECT_FALSE(is_e164_phone("+1234567890123456"));
  EXPECT_FALSE(is_e164_phone("1234567890"));
  EXPECT_FALSE(is_e164_phone("+1234 5678"));
  EXPECT_FALSE(is_e164_phone("+12345a78"));
  EXPECT_FALSE(is_e164_phone("++1234567"));
  EXPECT_FALSE(is_e164_phone("+"));
  EXPECT_FALSE(is_e164_phone(""));
}

TEST(IsHttpUrl, AcceptsHttpAndHttps) {
  EXPECT_TRUE(is_http_url("https://example.com/hooks/1"));
  EXPECT_TRUE(is_http_url("http://127.0.0.1:9000/x?y=z"));
  EXPECT_TRUE(is_http_url("HTTPS://EXAMPLE.COM"));
}

TEST(IsHttpUrl, ThePortIsATcpPort) {
  EXPECT_TRUE(is_http_url("https://example.com:1/"));
  EXPECT_TRUE(is_http_url("https://example.com:65535/"));
  EXPECT_TRUE(is_http_url("https://example.com:/"));  // an empty port is the default (RFC 3986 §3.2.3)
  for (const char* bad : {"https://example.com:65536/", "https://example.com:0/", "https://example.com:99999999999/",
                          "http://example.com:000080000/"}) {
    EXPECT_FALSE(is_http_url(bad)) << bad;
  }
}

TEST(IsHttpUrl, Rejects) {
  for (const char* bad :
       {"", "example.com", "ftp://example.com/x", "https://", "https:///path", "https://user:pw@example.com/",
        "javascript:alert(1)", "https://exa mple.com/", "/relative/path"}) {
    EXPECT_FALSE(is_http_url(bad)) << '"' << bad << '"';
  }
  EXPECT_TRUE(is_http_url("https://e.com/" + repeat("a", kMaxUrlBytes - 14)));
  EXPECT_FALSE(is_http_url("https://e.com/" + repeat("a", kMaxUrlBytes - 13)));
}

TEST(IsCurrencyCode, ThreeUpperCaseLetters) {
  EXPECT_TRUE(is_currency_code("USD"));
  EXPECT_TRUE(is_currency_code("EUR"));
  for (const char* bad : {"usd", "Usd", "US", "USDD", "U5D", "", "US "}) EXPECT_FALSE(is_currency_code(bad)) << bad;
}

// ---- CreateUser ----------------------------------------------------------------------------------

TEST(ValidateCreateUser, ValidMinimalUser) { EXPECT_THAT(validate(valid_user()), IsEmpty()); }

TEST(ValidateCreateUser, NameIsTrimmedBeforeLengthCheck) {
  auto u = valid_user();
  u.name = "   ";
  EXPECT_THAT(fields(validate(u)), ElementsAre("name"));
  u.name = "  Ada  ";
  EXPECT_THAT(validate(u), IsEmpty());
  u.name = "";
  EXPECT_THAT(fields(validate(u)), ElementsAre("name"));
}

TEST(ValidateCreateUser, NameLengthCountsCharactersNotBytes) {
  auto u = valid_user();
  u.name = repeat("a", 200);
  EXPECT_THAT(validate(u), IsEmpty());
  u.name = repeat("a", 201);
  EXPECT_THAT(fields(validate(u)), ElementsAre("name"));
  u.name = repeat("\xC3\xA9", 200);  // 200 characters, 400 bytes
  EXPECT_THAT(validate(u), IsEmpty());
  u.name = " " + repeat("a", 200) + " ";  // surrounding spaces do not count
  EXPECT_THAT(validate(u), IsEmpty());
}

TEST(ValidateCreateUser, NameWithControlCharacterIsRejected) {
  auto u = valid_user();
  u.name = "Ada\x01Lovelace";
  EXPECT_THAT(fields(validate(u)), ElementsAre("name"));
  u.name = "Ada\x7f";
  EXPECT_THAT(fields(validate(u)), ElementsAre("name"));
}

TEST(ValidateCreateUser, BadEmail) {
  auto u = valid_user();
  u.email = "nope";
  const auto errors = validate(u);
  ASSERT_THAT(fields(errors), ElementsAre("email"));
  EXPECT_FALSE(errors[0].message.empty());
}

TEST(ValidateCreateUser, Phone) {
  auto u = valid_user();
  u.phone = "+4915123456789";
  EXPECT_THAT(validate(u), IsEmpty());
  u.phone = "0151 2345";
  EXPECT_THAT(fields(validate(u)), ElementsAre("phone"));
}

TEST(ValidateCreateUser, SmsChannelNeedsPhone) {
  auto u = valid_user();
  u.notify_channel = NotifyChannel::sms;
  const auto errors = validate(u);
  ASSERT_THAT(fields(errors), ElementsAre("phone"));
  EXPECT_EQ(errors[0].message, "is required for the sms channel");
  u.phone = "+15551234567";
  EXPECT_THAT(validate(u), IsEmpty());
}

TEST(ValidateCreateUser, WebhookChannelNeedsUrl) {
  auto u = valid_user();
  u.notify_channel = NotifyChannel::webhook;
  EXPECT_THAT(fields(validate(u)), ElementsAre("webhook_url"));
  u.webhook_url = "https://hooks.example.com/ninja";
  EXPECT_THAT(validate(u), IsEmpty());
  u.webhook_url = "ftp://hooks.example.com/ninja";
  EXPECT_THAT(fields(validate(u)), ElementsAre("webhook_url"));
}

TEST(ValidateCreateUser, WebhookUrlOnlyWithWebhookChannel) {
  for (auto channel : {NotifyChannel::email, NotifyChannel::sms, NotifyChannel::none}) {
    auto u = valid_user();
    u.notify_channel = channel;
    u.phone = "+15551234567";
    u.webhook_url = "https://hooks.example.com/ninja";
    EXPECT_THAT(fields(validate(u)), ElementsAre("webhook_url")) << to_string(channel);
  }
}

TEST(ValidateCreateUser, NoneChannelNeedsNothing) {
  auto u = valid_user();
  u.notify_channel = NotifyChannel::none;
  EXPECT_THAT(validate(u), IsEmpty());
}

TEST(ValidateCreateUser, ReportsEveryBadFieldAtOnce) {
  CreateUser u;
  u.name = "";
  u.email = "x";
  u.phone = "1";
  u.notify_channel = NotifyChannel::webhook;
  EXPECT_THAT(fields(validate(u)), ElementsAre("name", "email", "phone", "webhook_url"));
}

// ---- CreateOrder ---------------------------------------------------------------------------------

TEST(ValidateCreateOrder, ValidOrder) { EXPECT_THAT(validate(valid_order()), IsEmpty()); }

TEST(ValidateCreateOrder, UserIdRequired) {
  auto o = valid_order();
  o.user_id = "";
  EXPECT_THAT(fields(validate(o)), ElementsAre("user_id"));
}

TEST(ValidateCreateOrder, NoBackendEverGetsANul) {
  auto o = valid_order();
  o.note = std::string("line one\nline\ttwo");  // line breaks and tabs are fine in a note
  EXPECT_THAT(validate(o), IsEmpty());
  o.note = std::string("a\0b", 3);
  o.items[0].sku = std::string("S\0", 2);
  EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].sku", "note"));
  o.note.reset();
  o.items[0].sku = "SKU\n1";  // an identifier holds no control characters at all
  EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].sku"));
}

TEST(ValidateCreateOrder, ItemCountOneToHundred) {
  auto o = valid_order();
  o.items.clear();
  EXPECT_THAT(fields(validate(o)), ElementsAre("items"));
  o.items.assign(100, OrderItem{"A", 1, 1});
  EXPECT_THAT(validate(o), IsEmpty());
  o.items.assign(101, OrderItem{"A", 1, 1});
  EXPECT_THAT(fields(validate(o)), ElementsAre("items"));
}

TEST(ValidateCreateOrder, SkuLength) {
  auto o = valid_order();
  o.items[0].sku = "";
  EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].sku"));
  o.items[0].sku = repeat("S", 64);
  EXPECT_THAT(validate(o), IsEmpty());
  o.items[0].sku = repeat("\xE2\x82\xAC", 64);  // 64 characters, 192 bytes
  EXPECT_THAT(validate(o), IsEmpty());
  o.items[0].sku = repeat("S", 65);
  EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].sku"));
}

TEST(ValidateCreateOrder, QuantityBounds) {
  auto o = valid_order();
  for (int64_t ok : {1, 1000}) {
    o.items[0].quantity = ok;
    EXPECT_THAT(validate(o), IsEmpty()) << ok;
  }
  for (int64_t bad : {int64_t{0}, int64_t{-1}, int64_t{1001}, INT64_MIN, INT64_MAX}) {
    o.items[0].quantity = bad;
    EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].quantity")) << bad;
  }
}

TEST(ValidateCreateOrder, UnitPriceBounds) {
  auto o = valid_order();
  for (int64_t ok : {0, 100000000}) {
    o.items[0].unit_price = ok;
    EXPECT_THAT(validate(o), IsEmpty()) << ok;
  }
  for (int64_t bad : {int64_t{-1}, int64_t{100000001}, INT64_MIN, INT64_MAX}) {
    o.items[0].unit_price = bad;
    EXPECT_THAT(fields(validate(o)), ElementsAre("items[0].unit_price")) << bad;
  }
}

TEST(ValidateCreateOrder, ItemErrorsNameTheirIndex) {
  auto o = valid_order();
  o.items = {{"A", 1, 1}, {"B", 1, 1}, {"", 0, -5}};
  EXPECT_THAT(fields(validate(o)), ElementsAre("items[2].sku", "items[2].quantity", "items[2].unit_price"));
}

TEST(ValidateCreateOrder, Currency) {
  auto o = valid_order();
  EXPECT_EQ(o.currency, "USD");  // default
  o.currency = "EUR";
  EXPECT_THAT(validate(o), IsEmpty());
  for (const char* bad : {"eur", "EU", "EURO", ""}) {
    o.currency = bad;
    EXPECT_THAT(fields(validate(o)), ElementsAre("currency")) << bad;
  }
}

TEST(ValidateCreateOrder, NoteUpTo500Characters) {
  auto o = valid_order();
  o.note = "";
  EXPECT_THAT(validate(o), IsEmpty());
  o.note = repeat("n", 500);
  EXPECT_THAT(validate(o), IsEmpty());
  o.note = repeat("\xC3\xB1", 500);  // 500 characters, 1000 bytes
  EXPECT_THAT(validate(o), IsEmpty());
  o.note = repeat("n", 501);
  EXPECT_THAT(fields(validate(o)), ElementsAre("note"));
}

TEST(ValidateCreateOrder, ReportsEveryBadFieldAtOnce) {
  CreateOrder o;
  o.items = {{"ok", 5, 5}, {"", 1001, 1}};
  o.currency = "usd";
  o.note = repeat("x", 501);
  EXPECT_THAT(fields(validate(o)), ElementsAre("user_id", "items[1].sku", "items[1].quantity", "currency", "note"));
}

// ---- NotifyChannel -------------------------------------------------------------------------------

TEST(NotifyChannel, RoundTripsAndRejectsUnknown) {
  for (auto c : {NotifyChannel::email, NotifyChannel::sms, NotifyChannel::webhook, NotifyChannel::none}) {
    EXPECT_EQ(parse_notify_channel(to_string(c)), c);
  }
  EXPECT_EQ(to_string(NotifyChannel::webhook), "webhook");
  EXPECT_EQ(parse_notify_channel("EMAIL"), std::nullopt);
  EXPECT_EQ(parse_notify_channel("log"), std::nullopt);
  EXPECT_EQ(parse_notify_channel(""), std::nullopt);
}

}  // namespace
}  // namespace ninja::domain

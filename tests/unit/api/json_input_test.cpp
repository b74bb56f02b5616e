#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>

#include "api/json_input.hpp"

namespace ninja::api {
namespace {

using domain::FieldError;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

http::Request request(std::string body, std::optional<std::string> content_type = "application/json") {
  http::Request r;
  r.method = "POST";
  r.path = "/v1/users";
  r.body = std::move(body);
  if (content_type) r.headers.push_back({"content-type", *content_type});
  return r;
}

// {"a": [[[…]]]} with `depth` levels of nesting in total (the outer object is level 1).
std::string nested(unsigned depth) {
  std::string text = R"({"a":)";
  for (unsigned i = 1; i < depth; ++i) text += "[";
  text += "1";
  for (unsigned i = 1; i < depth; ++i) text += "]";
  return text + "}";
}

// ---- content type --------------------------------------------------------------------------------

TEST(ParseJsonObject, AcceptsJsonContentTypes) {
  for (const char* type : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                           "application/json;charset=UTF-8", "APPLICATION/JSON ; charset=utf-8"}) {
    EXPECT_NO_THROW(parse_json_object(request("{}", type))) << type;
  }
}

TEST(ParseJsonObject, MissingContentTypeIsUnsupported) {
  EXPECT_THROW(parse_json_object(request("{}", std::nullopt)), UnsupportedMediaType);
}

TEST(ParseJsonObject, OtherContentTypesAreUnsupported) {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                           "application/json-patch+json", "text/json", "application", "multipart/form-data"}) {
    EXPECT_THROW(parse_json_object(request("{}", type)), UnsupportedMediaType) << type;
  }
}

TEST(ParseJsonObject, ContentTypeIsCheckedBeforeTheBody) {
  EXPECT_THROW(parse_json_object(request("not json", "text/plain")), UnsupportedMediaType);
}

// ---- body ----------------------------------------------------------------------------------------

TEST(ParseJsonObject, ParsesAnObject) {
  const auto obj = parse_json_object(request(R"( {"name":"Ada","n":1,"nested":{"x":[1,2]}} )"));
  EXPECT_EQ(obj.size(), 3u);
  EXPECT_EQ(obj.at("name").as_string(), "Ada");
  EXPECT_EQ(obj.at("n").as_int64(), 1);
  EXPECT_EQ(obj.at("nested").as_object().at("x").as_array().size(), 2u);
}

TEST(ParseJsonObject, EmptyObject) { EXPECT_THAT(parse_json_object(request("{}")), IsEmpty()); }

TEST(ParseJsonObject, NotJsonIsMalformed) {
  for (const char* bad : {"", " ", "{", "}", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{a:1}", "{\"a\":NaN}",
                          "{\"a\":Infinity}", "{/*c*/}", "{\"a\":01}", "{\"a\":\"\x01\"}"}) {
    EXPECT_THROW(parse_json_object(request(bad)), MalformedJson) << '"' << bad << '"';
  }
}

TEST(ParseJsonObject, TrailingGarbageIsMalformed) {
  for (const char* bad : {"{} x", "{}{}", "{}]", "{} 1", "{}\n,"}) {
    EXPECT_THROW(parse_json_object(request(bad)), MalformedJson) << '"' << bad << '"';
  }
  EXPECT_NO_THROW(parse_json_object(request("{} \r\n\t ")));
}

TEST(ParseJsonObject, NonObjectIsMalformed) {
  for (const char* bad : {"[]", "[{}]", "1", "\"{}\"", "null", "true"}) {
    EXPECT_THROW(parse_json_object(request(bad)), MalformedJson) << bad;
  }
}

TEST(ParseJsonObject, InvalidUtf8IsMalformed) {
  for (const std::string& bad : {
           std::string("{\"a\":\"\xff\"}"),          // never valid
           std::string("{\"a\":\"\xc3\"}"),          // truncated sequence
           std::string("{\"a\":\"\xc0\xaf\"}"),      // overlong
           std::string("{\"a\":\"\xed\xa0\x80\"}"),  // UTF-16 surrogate
           std::string("{\"\xfe\":1}"),              // in a key
       }) {
    EXPECT_THROW(parse_json_object(request(bad)), MalformedJson);
  }
  EXPECT_EQ(parse_json_object(request("{\"a\":\"caf\xc3\xa9 \xe2\x82\xac\"}")).at("a").as_string(),
            "caf\xc3\xa9 \xe2\x82\xac");
}

TEST(ParseJsonObject, NestingUpTo32IsAccepted) {
  EXPECT_NO_THROW(parse_json_object(request(nested(1))));
  EXPECT_NO_THROW(parse_json_object(request(nested(kMaxJsonDepth))));
}

TEST(ParseJsonObject, NestingDeeperThan32IsMalformed) {
  EXPECT_THROW(parse_json_object(request(nested(kMaxJsonDepth + 1))), MalformedJson);
  EXPECT_THROW(parse_json_object(request(nested(10000))), MalformedJson);
}

TEST(ParseJsonObject, BigNumbersStillParse) {
  // Range is the decoder's concern (a field error), not a syntax error.
  const auto obj = parse_json_object(request(R"({"a":18446744073709551615,"b":1e30,"c":-1.5})"));
  EXPECT_TRUE(obj.at("a").is_uint64());
  EXPECT_TRUE(obj.at("b").is_double());
}

// ---- ObjectReader --------------------------------------------------------------------------------

TEST(ObjectReader, ReadsTypedFieldsWithPrefixedErrors) {
  const auto obj = boost::json::parse(R"({"s":"x","i":5,"a":[1],"bad_s":1,"bad_i":"1","bad_a":{},"z":0})").as_object();
  std::vector<FieldError> errors;
  ObjectReader reader(obj, "items[3].", errors, {"s", "i", "a", "bad_s", "bad_i", "bad_a", "missing"});
  EXPECT_THAT(errors, ElementsAre(FieldError{"items[3].z", "is not a known field"}));
  errors.clear();
  EXPECT_EQ(reader.string("s", true), "x");
  EXPECT_EQ(reader.integer("i", true), 5);
  ASSERT_NE(reader.array("a", true), nullptr);
  EXPECT_EQ(reader.string("bad_s", true), std::nullopt);
  EXPECT_EQ(reader.integer("bad_i", true), std::nullopt);
  EXPECT_EQ(reader.array("bad_a", true), nullptr);
  EXPECT_EQ(reader.string("missing", false), std::nullopt);
  EXPECT_EQ(reader.string("missing", true), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(FieldError{"items[3].bad_s", "must be a string, not a number"},
                                  FieldError{"items[3].bad_i", "must be an integer, not a string"},
                                  FieldError{"items[3].bad_a", "must be an array, not an object"},
                                  FieldError{"items[3].missing", "is required"}));
  EXPECT_EQ(reader.path("sku"), "items[3].sku");
}

TEST(ObjectReader, ReadsAnyJsonNumberAsANumber) {
  const auto obj = boost::json::parse(R"({"i":5,"d":2.5,"u":18446744073709551615,"s":"5","n":null})").as_object();
  std::vector<FieldError> errors;
  ObjectReader reader(obj, "", errors, {"i", "d", "u", "s", "n"});
  EXPECT_EQ(reader.number("i", true), 5.0);
  EXPECT_EQ(reader.number("d", true), 2.5);
  EXPECT_EQ(reader.number("u", true), 18446744073709551615.0);
  EXPECT_EQ(reader.number("s", true), std::nullopt);
  EXPECT_EQ(reader.number("n", false), std::nullopt);
  EXPECT_THAT(errors, ElementsAre(FieldError{"s", "must be a number, not a string"}));
}

// ---- merge_errors --------------------------------------------------------------------------------

TEST(MergeErrors, RuleErrorsOfFailedFieldsAreDropped) {
  const auto merged = merge_errors(
      {{"name", "must be a string, not a number"}, {"items", "must be an array"}},
      {{"name", "must be 1–200 characters"}, {"items", "must hold 1–100 items"}, {"email", "must be plausible"}});
  EXPECT_THAT(merged, ElementsAre(FieldError{"name", "must be a string, not a number"},
                                  FieldError{"items", "must be an array"}, FieldError{"email", "must be plausible"}));
}

TEST(MergeErrors, AnArrayLevelErrorKeepsItsElementsErrors) {
  // "too many items" is about the array; its elements that break rules are still named.
  const auto merged = merge_errors({{"items", "must hold 1–100 items"}}, {{"items[0].sku", "must be 1–64 characters"}});
  EXPECT_THAT(merged, ElementsAre(FieldError{"items", "must hold 1–100 items"},
                                  FieldError{"items[0].sku", "must be 1–64 characters"}));
}

TEST(MergeErrors, OnlyWholePathSegmentsMatch) {
  const auto merged = merge_errors({{"items[1]", "must be an object"}, {"note", "x"}},
                                   {{"items[1].sku", "a"}, {"items[10].sku", "b"}, {"notes", "c"}, {"items[1]x", "d"}});
  EXPECT_THAT(merged,
              ElementsAre(FieldError{"items[1]", "must be an object"}, FieldError{"note", "x"},
                          FieldError{"items[10].sku", "b"}, FieldError{"notes", "c"}, FieldError{"items[1]x", "d"}));
}

TEST(MergeErrors, NoDecodeErrorsKeepsAllRuleErrors) {
  EXPECT_THAT(merge_errors({}, {{"a", "1"}, {"b", "2"}}), ElementsAre(FieldError{"a", "1"}, FieldError{"b", "2"}));
}

}  // namespace
}  // namespace ninja::api

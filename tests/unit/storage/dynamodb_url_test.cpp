#include <gtest/gtest.h>

#include "storage/dynamodb/dynamodb_url.hpp"

namespace ninja::storage::dynamodb {
namespace {

TEST(DynamoDbUrl, RegionEndpointAndPrefix) {
  const auto url = parse_dynamodb_url("dynamodb://eu-west-1?endpoint=http://127.0.0.1:5000&prefix=test_");
  EXPECT_EQ(url.region, "eu-west-1");
  EXPECT_EQ(url.endpoint, "http://127.0.0.1:5000");
  EXPECT_EQ(url.prefix, "test_");
}

TEST(DynamoDbUrl, EverythingIsOptional) {
  const auto url = parse_dynamodb_url("dynamodb://");
  EXPECT_EQ(url.region, "");  // AWS_REGION decides
  EXPECT_FALSE(url.endpoint.has_value());
  EXPECT_EQ(url.prefix, "");
  EXPECT_EQ(parse_dynamodb_url("dynamodb://us-east-1").region, "us-east-1");
  EXPECT_EQ(parse_dynamodb_url("dynamodb://?prefix=p.").prefix, "p.");
}

TEST(DynamoDbUrl, AnEndpointMayBePercentEncoded) {
  const auto url = parse_dynamodb_url("dynamodb://us-east-1?endpoint=http%3A%2F%2Flocalhost%3A8000%2F");
  EXPECT_EQ(url.endpoint, "http://localhost:8000/");
}

TEST(DynamoDbUrl, RecognisesOnlyItsScheme) {
  EXPECT_TRUE(is_dynamodb_url("dynamodb://us-east-1"));
  EXPECT_FALSE(is_dynamodb_url("dynamodb:us-east-1"));
  EXPECT_FALSE(is_dynamodb_url("postgres://db"));
  EXPECT_THROW(parse_dynamodb_url("sqlite:x.db"), std::invalid_argument);
}

TEST(DynamoDbUrl, RefusesWhatItDoesNotUnderstand) {
  for (const char* bad : {
           "dynamodb://us-east-1?prefx=typo_",      // a misspelt parameter
           "dynamodb://us-east-1?prefix=bad/name",  // not a table name character
           "dynamodb://us-east-1?prefix=sp ace",    // nor is a space
           "dynamodb://us-east-1/tables",           // a path
           "dynamodb://us-east-1:443",              // a port
           "dynamodb://key:secret@us-east-1",       // keys in the URL
           "dynamodb://us-east-1?endpoint=",        // an empty endpoint
           "dynamodb://us-east-1#fragment",
       }) {
    EXPECT_THROW(parse_dynamodb_url(bad), std::invalid_argument) << bad;
  }
}

TEST(DynamoDbUrl, APrefixKeepsEveryTableNameWithin255Characters) {
  const std::string longest_allowed(255 - std::string("idempotency").size(), 'p');
  EXPECT_EQ(parse_dynamodb_url("dynamodb://?prefix=" + longest_allowed).prefix, longest_allowed);
  EXPECT_THROW(parse_dynamodb_url("dynamodb://?prefix=" + longest_allowed + "p"), std::invalid_argument);
}

TEST(DynamoDbUrl, AnEndpointWithAPasswordIsRefusedWithoutEchoingIt) {
  try {
    parse_dynamodb_url("dynamodb://us-east-1?endpoint=http://user:hunter2pw@127.0.0.1:8000");
    FAIL() << "accepted a password in the endpoint";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2pw"), std::string::npos) << e.what();
  }
}

TEST(DynamoDbUrl, ErrorsNeverEchoKeys) {
  try {
    parse_dynamodb_url("dynamodb://AKIDEXAMPLE:wJalrXUtnFEMI@us-east-1");
    FAIL() << "accepted keys in the URL";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("wJalrXUtnFEMI"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("***"), std::string::npos) << e.what();  // still says which URL
  }
}

}  // namespace
}  // namespace ninja::storage::dynamodb

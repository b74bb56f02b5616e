#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <stdexcept>

#include "api/error_mapping.hpp"
#include "api/json_input.hpp"
#include "api/request_context.hpp"
#include "domain/errors.hpp"

namespace ninja::api {
namespace {

template <class E>
http::Response map(E error) {
  return map_exception(std::make_exception_ptr(std::move(error)));
}

std::string type_of(const http::Response& r) { return std::string(boost::json::parse(r.body).at("type").as_string()); }

TEST(MapException, EachKnownErrorHasItsStatusAndType) {
  struct Case {
    http::Response response;
    int status;
    const char* type;
  };
  const Case cases[] = {
      {map(domain::NotFound("x")), 404, "/problems/not-found"},
      {map(domain::EmailTaken("x")), 409, "/problems/email-taken"},
      {map(domain::IdempotencyInFlight("x")), 409, "/problems/idempotency-in-flight"},
      {map(domain::IdempotencyMismatch("x")), 422, "/problems/idempotency-mismatch"},
      {map(MalformedJson("x")), 400, "/problems/malformed-json"},
      {map(UnsupportedMediaType("x")), 415, "/problems/unsupported-media-type"},
      {map(BadQuery("x")), 400, "/problems/bad-query"},
      {map(BadIdempotencyKey("x")), 400, "/problems/bad-idempotency-key"},
      {map(domain::ValidationError(std::vector<domain::FieldError>{{"email", "is required"}})), 422,
       "/problems/validation"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.response.status, c.status) << c.type;
    EXPECT_EQ(c.response.content_type, "application/problem+json") << c.type;
    EXPECT_EQ(type_of(c.response), c.type);
    EXPECT_EQ(boost::json::parse(c.response.body).at("status").as_int64(), c.status) << c.type;
  }
}

TEST(MapException, ValidationListsEveryField) {
  const auto r = map(domain::ValidationError(
      std::vector<domain::FieldError>{{"items[0].quantity", "must be an integer"}, {"email", "is required"}}));
  const auto body = boost::json::parse(r.body).as_object();
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field").as_string(), "items[0].quantity");
  EXPECT_EQ(errors[0].at("message").as_string(), "must be an integer");
  EXPECT_EQ(errors[1].at("field").as_string(), "email");
}

TEST(MapException, ValidationListsAtMostAHundredAndCountsTheRest) {
  std::vector<domain::FieldError> many;
  for (int i = 0; i < 118000; ++i) many.push_back({"k" + std::to_string(i), "is not a known field"});
  const auto r = map(domain::ValidationError(std::move(many)));
  EXPECT_LT(r.body.size(), 10000u);
  const auto body = boost::json::parse(r.body).as_object();
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), kMaxListedErrors);
  EXPECT_EQ(errors[0].at("field").as_string(), "k0");
  EXPECT_EQ(errors[99].at("field").as_string(), "k99");
  EXPECT_EQ(body.at("detail").as_string(), "118000 fields are invalid; the first 100 are listed");
}

TEST(MapException, DetailCarriesTheMessageOfClientErrors) {
  EXPECT_EQ(boost::json::parse(map(BadQuery("limit must be 1-100")).body).at("detail").as_string(),
            "limit must be 1-100");
}

TEST(MapException, AnythingElseIsAnOpaque500) {
  for (const auto& r : {map(std::runtime_error("db password is hunter2")), map(std::logic_error("hunter2")),
                        map(std::invalid_argument("hunter2")), map(42)}) {
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(type_of(r), "/problems/internal");
    EXPECT_EQ(r.body.find("hunter2"), std::string::npos);
    EXPECT_FALSE(r.diagnostic.empty());  // for the log line, never the body
  }
  EXPECT_EQ(map(std::runtime_error("db password is hunter2")).diagnostic, "db password is hunter2");
  EXPECT_TRUE(map(BadQuery("x")).diagnostic.empty());
}

}  // namespace
}  // namespace ninja::api

namespace ninja::api {
namespace {

TEST(MapException, AnUnavailableBackendIsA503WithRetryAfterAndNoCause) {
  const auto r = map(domain::Unavailable("postgres 10.0.0.5:5432/orders: connection refused"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(type_of(r), "/problems/unavailable");
  const auto retry =
      std::find_if(r.headers.begin(), r.headers.end(), [](const auto& h) { return h.name == "Retry-After"; });
  ASSERT_NE(retry, r.headers.end());
  EXPECT_EQ(retry->value, "1");
  EXPECT_EQ(r.body.find("10.0.0.5"), std::string::npos);  // the cause goes to the log only
  EXPECT_EQ(r.diagnostic, "postgres 10.0.0.5:5432/orders: connection refused");
}

}  // namespace
}  // namespace ninja::api

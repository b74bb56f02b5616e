#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/problem.hpp"

namespace ninja::http {
namespace {

boost::json::object body_of(const Response& r) { return boost::json::parse(r.body).as_object(); }

TEST(Problem, ShapesRfc9457Body) {
  const auto r = problem(404, "not-found", "Not found", "no such user");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const auto body = body_of(r);
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(body.at("type").as_string(), "/problems/not-found");
  EXPECT_EQ(body.at("title").as_string(), "Not found");
  EXPECT_TRUE(body.at("status").is_int64());
  EXPECT_EQ(body.at("status").as_int64(), 404);
  EXPECT_EQ(body.at("detail").as_string(), "no such user");
  EXPECT_FALSE(body.contains("errors"));
}

TEST(Problem, AddsErrorsWhenGiven) {
  const auto r = problem(422, "validation", "Validation failed", "bad",
                         {{"items[0].quantity", "must be an integer"}, {"email", "is required"}});
  const auto body = body_of(r);
  EXPECT_EQ(body.at("status").as_int64(), 422);
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].as_object().at("field").as_string(), "items[0].quantity");
  EXPECT_EQ(errors[0].as_object().at("message").as_string(), "must be an integer");
  EXPECT_EQ(errors[0].as_object().size(), 2u);
  EXPECT_EQ(errors[1].as_object().at("field").as_string(), "email");
}

TEST(Problem, EscapesTextSoTheBodyStaysJson) {
  const auto r = problem(400, "bad-query", "Bad \"query\"", "line1\nline2 \\ </script>", {{"a\"b", "c\td"}});
  const auto body = body_of(r);
  EXPECT_EQ(body.at("title").as_string(), "Bad \"query\"");
  EXPECT_EQ(body.at("detail").as_string(), "line1\nline2 \\ </script>");
  EXPECT_EQ(body.at("errors").as_array()[0].as_object().at("field").as_string(), "a\"b");
}

TEST(Problem, NoExtraHeaders) { EXPECT_TRUE(problem(500, "internal", "Internal error", "x").headers.empty()); }

}  // namespace
}  // namespace ninja::http

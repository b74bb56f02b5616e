#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/request_context.hpp"
#include "api/resource_api.hpp"
#include "domain/errors.hpp"

namespace ninja::api {
namespace {

std::string_view header_of(const http::Response& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

constexpr std::string_view kResourceId = "0190f2a4-1b2c-7d3e-8f40-123456789abc";

TEST(Created, Is201WithLocationAndBody) {
  const auto r = created({std::string(kResourceId), R"({"id":"x"})", false}, "/v1/users");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"id":"x"})");
  EXPECT_EQ(header_of(r, "Location"), "/v1/users/" + std::string(kResourceId));
  EXPECT_EQ(header_of(r, "Idempotent-Replayed"), "<absent>");
}

TEST(Created, ReplayIsMarked) {
  const auto r = created({std::string(kResourceId), "{}", true}, "/v1/orders");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(header_of(r, "Location"), "/v1/orders/" + std::string(kResourceId));
  EXPECT_EQ(header_of(r, "Idempotent-Replayed"), "true");
}

http::PathParams id_param(std::string value) {
  http::PathParams p;
  p.values.emplace_back("id", std::move(value));
  return p;
}

TEST(PathId, CanonicalizesUuids) {
  EXPECT_EQ(path_id(id_param(std::string(kResourceId)), "user"), kResourceId);
  EXPECT_EQ(path_id(id_param("0190F2A4-1B2C-7D3E-8F40-123456789ABC"), "user"), kResourceId);
}

TEST(PathId, NonUuidIsNotFound) {
  for (const char* bad : {"", "abc", "0190f2a4-1b2c-7d3e-8f40-123456789ab", "0190f2a4-1b2c-7d3e-8f40-123456789abc0",
                          "%30190f2a4-1b2c-7d3e-8f40-123456789ab"}) {
    EXPECT_THROW(path_id(id_param(bad), "user"), domain::NotFound) << bad;
  }
  try {
    path_id(id_param("nope"), "order");
  } catch (const domain::NotFound& e) {
    EXPECT_STREQ(e.what(), "no such order");
  }
}

struct Thing {
  std::string id;
};

boost::json::object render(const Thing& t, boost::json::storage_ptr storage) {
  return boost::json::object({{"id", t.id}}, std::move(storage));
}

TEST(PageResponse, NextCursorPointsAfterTheLastItem) {
  domain::Page<Thing> page{{{"0190f2a4-1b2c-7d3e-8f40-00000000000b"}, {"0190f2a4-1b2c-7d3e-8f40-00000000000a"}}, true};
  const auto r = page_response(page, render);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  const auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.size(), 2u);
  ASSERT_EQ(body.at("items").as_array().size(), 2u);
  EXPECT_EQ(body.at("items").as_array()[0].at("id").as_string(), "0190f2a4-1b2c-7d3e-8f40-00000000000b");
  EXPECT_EQ(decode_cursor(body.at("next_cursor").as_string()), "0190f2a4-1b2c-7d3e-8f40-00000000000a");
}

TEST(PageResponse, LastPageHasNullCursor) {
  domain::Page<Thing> page{{{"0190f2a4-1b2c-7d3e-8f40-00000000000a"}}, false};
  EXPECT_TRUE(boost::json::parse(page_response(page, render).body).at("next_cursor").is_null());
  domain::Page<Thing> empty{{}, true};
  const auto body = boost::json::parse(page_response(empty, render).body).as_object();
  EXPECT_TRUE(body.at("items").as_array().empty());
  EXPECT_TRUE(body.at("next_cursor").is_null());
}

TEST(RenderedResponse, IsTheSerializedTreeAsJson) {
  const auto r = rendered_response([](boost::json::storage_ptr storage) {
    return boost::json::object({{"id", std::string(40, 'x')}, {"n", 7}}, std::move(storage));
  });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"id":")" + std::string(40, 'x') + R"(","n":7})");
}

}  // namespace
}  // namespace ninja::api

// The CloudEvent 1.0 envelope of API.md §3, built around an already-serialized representation.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "events/event.hpp"

namespace ninja::events {
namespace {

TEST(MakeEvent, IsAStructuredCloudEventWithTheDataVerbatim) {
  const std::string data = R"({"id":"o1","total":300,"note":"a \"quoted\" note","items":[]})";
  const Event event = make_event("e1", kOrderCreated, "/v1/orders", "o1", 1795498020123, data);
  EXPECT_EQ(event.id, "e1");
  EXPECT_EQ(event.type, "ninja.order.created");
  EXPECT_EQ(event.subject, "o1");
  EXPECT_EQ(event.time_ms, 1795498020123);

  const auto ce = boost::json::parse(event.payload).as_object();
  EXPECT_EQ(ce.at("specversion"), "1.0");
  EXPECT_EQ(ce.at("id"), "e1");
  EXPECT_EQ(ce.at("type"), "ninja.order.created");
  EXPECT_EQ(ce.at("source"), "/v1/orders");
  EXPECT_EQ(ce.at("subject"), "o1");
  EXPECT_EQ(ce.at("time"), "2026-11-24T05:27:00.123Z");
  EXPECT_EQ(ce.at("datacontenttype"), "application/json");
  EXPECT_EQ(ce.at("data"), boost::json::parse(data));
  EXPECT_EQ(ce.size(), 8U);
}

TEST(MakeEvent, EscapesEnvelopeFields) {
  const Event event = make_event("e\"1", kUserDeleted, "/v1/users", "u\\1", 0, "{}");
  const auto ce = boost::json::parse(event.payload).as_object();
  EXPECT_EQ(ce.at("id"), "e\"1");
  EXPECT_EQ(ce.at("subject"), "u\\1");
}

TEST(MakeEvent, IsByteForByteTheSerializedEnvelopeWithDataLast) {
  const std::string data = R"({"id":"o1"})";
  for (const std::string id : {"0190f2a4-1b2c-7d3e-8f40-000000000001", "e\"1\\\n"}) {
    const Event event = make_event(id, kOrderCreated, "/v1/orders", "s\u00e9/1", 1795498020123, data);
    boost::json::object ce;
    ce["specversion"] = "1.0";
    ce["id"] = id;
    ce["type"] = "ninja.order.created";
    ce["source"] = "/v1/orders";
    ce["subject"] = "s\u00e9/1";
    ce["time"] = "2026-11-24T05:27:00.123Z";
    ce["datacontenttype"] = "application/json";
    ce["data"] = boost::json::parse(data);
    EXPECT_EQ(event.payload, boost::json::serialize(ce));
  }
}

}  // namespace
}  // namespace ninja::events

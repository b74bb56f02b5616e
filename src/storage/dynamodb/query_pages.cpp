#include "storage/dynamodb/query_pages.hpp"

#include <memory>

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

struct QueryCall {
  DynamoDbClients* clients;
  json::object request;
  size_t wanted;
  json::array items;
  util::Completion<json::array> done;
};

void send(std::shared_ptr<QueryCall> call) {
  auto* clients = call->clients;
  const json::object& request = call->request;
  clients->call("Query", request, [call = std::move(call)](json::object answer, std::exception_ptr error) mutable {
    if (error) return call->done({}, error);
    const auto* items = answer.if_contains("Items");
    if (items == nullptr || !items->is_array()) {
      return call->done({}, std::make_exception_ptr(std::runtime_error("dynamodb Query answer: no Items")));
    }
    for (const auto& item : items->get_array()) {
      if (call->items.size() == call->wanted) break;
      call->items.push_back(item);
    }
    auto next = next_query(call->request, answer, call->items.size(), call->wanted);
    if (!next) return call->done(std::move(call->items), nullptr);
    call->request = std::move(*next);
    send(std::move(call));
  });
}

}  // namespace

std::optional<json::object> next_query(const json::object& request, const json::object& answer, size_t have,
                                       size_t wanted) {
  const auto* last = answer.if_contains("LastEvaluatedKey");
  if (have >= wanted || last == nullptr || !last->is_object() || last->get_object().empty()) return std::nullopt;
  json::object next = request;
  next["ExclusiveStartKey"] = *last;
  next["Limit"] = static_cast<int64_t>(wanted - have);
  return next;
}

void query_items(DynamoDbClients& clients, json::object request, size_t wanted, util::Completion<json::array> done) {
  if (wanted == 0) return done({}, nullptr);
  request["Limit"] = static_cast<int64_t>(wanted);
  send(std::make_shared<QueryCall>(QueryCall{&clients, std::move(request), wanted, {}, std::move(done)}));
}

}  // namespace ninja::storage::dynamodb

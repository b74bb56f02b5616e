#include "storage/dynamodb/idempotency_purge.hpp"

#include <boost/json/array.hpp>

#include <memory>
#include <mutex>

#include "storage/dynamodb/attribute_value.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

constexpr int64_t kScanPage = 200;

struct PurgeCall {
  DynamoDbClients* clients;
  const TableLayout* layout;
  int64_t now_ms;
  util::Completion<size_t> done;
  std::mutex mutex;  // the deletes of one page complete on several loops
  size_t deleted = 0;
  size_t outstanding = 0;
  std::exception_ptr error;
  std::optional<json::value> next_start;
};

json::object expired_scan(const TableLayout& layout, int64_t now_ms, const std::optional<json::value>& start) {
  json::object scan{{"TableName", layout.idempotency},
                    {"ProjectionExpression", "#id"},
                    {"FilterExpression", "#expires <= :now"},
                    {"ExpressionAttributeNames", {{"#id", "id"}, {"#expires", "expires_at_ms"}}},
                    {"ExpressionAttributeValues", {{":now", number_value(now_ms)}}},
                    {"Limit", kScanPage}};
  if (start) scan["ExclusiveStartKey"] = *start;
  return scan;
}

json::object delete_if_expired(const TableLayout& layout, const json::value& key, int64_t now_ms) {
  return {{"TableName", layout.idempotency},
          {"Key", {{"id", key}}},
          {"ConditionExpression", "#expires <= :now"},
          {"ExpressionAttributeNames", {{"#expires", "expires_at_ms"}}},
          {"ExpressionAttributeValues", {{":now", number_value(now_ms)}}}};
}

void scan_page(std::shared_ptr<PurgeCall> call);

// After the last delete of a page: the next page, or the end.
void page_done(const std::shared_ptr<PurgeCall>& call) {
  if (call->error) return call->done({}, call->error);
  if (!call->next_start) return call->done(call->deleted, nullptr);
  scan_page(call);
}

void scan_page(std::shared_ptr<PurgeCall> call) {
  auto* clients = call->clients;
  clients->call("Scan", expired_scan(*call->layout, call->now_ms, call->next_start),
                [call](json::object answer, std::exception_ptr error) {
                  if (error) return call->done({}, error);
                  const auto* items = answer.if_contains("Items");
                  const auto* last = answer.if_contains("LastEvaluatedKey");
                  call->next_start.reset();
                  if (last != nullptr && last->is_object() && !last->get_object().empty()) call->next_start = *last;
                  std::vector<json::value> keys;
                  if (items != nullptr && items->is_array()) {
                    for (const auto& item : items->get_array()) {
                      const auto* id = item.is_object() ? item.get_object().if_contains("id") : nullptr;
                      if (id != nullptr) keys.push_back(*id);
                    }
                  }
                  if (keys.empty()) return page_done(call);
                  call->outstanding = keys.size();
                  for (const auto& key : keys) {
                    call->clients->call("DeleteItem", delete_if_expired(*call->layout, key, call->now_ms),
                                        [call](json::object, std::exception_ptr error) {
                                          std::unique_lock lock(call->mutex);
                                          if (!error) {
                                            ++call->deleted;
                                          } else if (!call->error) {
                                            try {
                                              std::rethrow_exception(error);
                                            } catch (const aws::AwsError& e) {
                                              // Renewed meanwhile: not expired any more, not ours to delete.
                                              if (e.type() != "ConditionalCheckFailedException") call->error = error;
                                            } catch (...) {
                                              call->error = error;
                                            }
                                          }
                                          if (--call->outstanding > 0) return;
                                          lock.unlock();
                                          page_done(call);
                                        });
                  }
                });
}

}  // namespace

void purge_expired_idempotency(DynamoDbClients& clients, const TableLayout& layout, int64_t now_ms,
                               util::Completion<size_t> done) {
  auto call = std::make_shared<PurgeCall>();
  call->clients = &clients;
  call->layout = &layout;
  call->now_ms = now_ms;
  call->done = std::move(done);
  scan_page(std::move(call));
}

}  // namespace ninja::storage::dynamodb

#include "storage/dynamodb/table_setup.hpp"

#include <spdlog/logger.h>

#include <boost/json/array.hpp>

#include <optional>
#include <stdexcept>
#include <thread>

#include "storage/dynamodb/table_definitions.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

// The table's description, or nullopt when it does not exist.
std::optional<json::object> describe(DynamoDbClients& clients, const std::string& name) {
  try {
    auto answer = clients.call_blocking("DescribeTable", {{"TableName", name}});
    return answer.at("Table").as_object();
  } catch (const aws::AwsError& e) {
    if (e.type() == "ResourceNotFoundException") return std::nullopt;
    throw;
  }
}

std::string string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

// "" when the table and all its indexes are ACTIVE, else what is not yet.
std::string not_active(const json::object& table) {
  if (string_at(table, "TableStatus") != "ACTIVE") return "status " + string_at(table, "TableStatus");
  if (const auto* indexes = table.if_contains("GlobalSecondaryIndexes"); indexes && indexes->is_array()) {
    for (const auto& index : indexes->get_array()) {
      const auto& fields = index.as_object();
      if (string_at(fields, "IndexStatus") != "ACTIVE") {
        return "index " + string_at(fields, "IndexName") + " " + string_at(fields, "IndexStatus");
      }
    }
  }
  return {};
}

void check_indexes(const TableDefinition& wanted, const json::object& table) {
  const auto* want = wanted.create.if_contains("GlobalSecondaryIndexes");
  if (want == nullptr) return;
  const auto* have = table.if_contains("GlobalSecondaryIndexes");
  for (const auto& index : want->as_array()) {
    const std::string name = string_at(index.as_object(), "IndexName");
    bool found = false;
    if (have && have->is_array()) {
      for (const auto& existing : have->get_array())
        found = found || string_at(existing.as_object(), "IndexName") == name;
    }
    if (!found) {
      throw std::runtime_error("dynamodb: table " + wanted.name + " exists without the index " + name +
                               " (not this layout: use another prefix, or delete the table)");
    }
  }
}

std::string ttl_status(DynamoDbClients& clients, const std::string& table) {
  const auto answer = clients.call_blocking("DescribeTimeToLive", {{"TableName", table}});
  const auto* description = answer.if_contains("TimeToLiveDescription");
  return description && description->is_object() ? string_at(description->get_object(), "TimeToLiveStatus")
                                                 : std::string();
}

void enable_ttl(DynamoDbClients& clients, const TableDefinition& table, spdlog::logger* log) {
  if (!table.ttl) return;
  const auto on = [](const std::string& status) { return status == "ENABLED" || status == "ENABLING"; };
  if (on(ttl_status(clients, table.name))) return;
  try {
    clients.call_blocking("UpdateTimeToLive", *table.ttl);
  } catch (const aws::AwsError&) {
    // Another process migrating at the same moment was first (AWS then refuses a second change).
    if (on(ttl_status(clients, table.name))) return;
    throw;
  }
  if (log) log->info("dynamodb: time to live enabled on {}", table.name);
}

bool point_in_time_recovery_on(DynamoDbClients& clients, const std::string& table) {
  const auto answer = clients.call_blocking("DescribeContinuousBackups", {{"TableName", table}});
  const auto* backups = answer.if_contains("ContinuousBackupsDescription");
  const auto* recovery =
      backups && backups->is_object() ? backups->get_object().if_contains("PointInTimeRecoveryDescription") : nullptr;
  const std::string status = recovery && recovery->is_object()
                                 ? string_at(recovery->get_object(), "PointInTimeRecoveryStatus")
                                 : std::string();
  return status == "ENABLED" || status == "ENABLING";
}

// DynamoDB's own backup (the embedded mode has `ninja-orders backup`): continuous, restorable to
// any second of the last 35 days into a new table, without load on this one. Right after
// CreateTable AWS may answer ContinuousBackupsUnavailableException for a while: tried again.
void enable_point_in_time_recovery(DynamoDbClients& clients, const std::string& table, spdlog::logger* log,
                                   const SetupOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.wait_limit;
  for (;;) {
    try {
      if (point_in_time_recovery_on(clients, table)) return;
      clients.call_blocking(
          "UpdateContinuousBackups",
          {{"TableName", table}, {"PointInTimeRecoverySpecification", {{"PointInTimeRecoveryEnabled", true}}}});
      if (log) log->info("dynamodb: point-in-time recovery enabled on {}", table);
      return;
    } catch (const aws::AwsError& e) {
      if (e.type() != "ContinuousBackupsUnavailableException" || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(options.poll);
  }
}

}  // namespace

void ensure_tables(DynamoDbClients& clients, const TableLayout& layout, spdlog::logger* log,
                   const SetupOptions& options) {
  for (const auto& table : table_definitions(layout)) {
    auto description = describe(clients, table.name);
    if (!description) {
      try {
        clients.call_blocking("CreateTable", table.create);
        if (log) log->info("dynamodb: creating table {}", table.name);
      } catch (const aws::AwsError& e) {
        if (e.type() != "ResourceInUseException") throw;  // else another process is creating it
      }
      description = describe(clients, table.name);
    }
    const auto deadline = std::chrono::steady_clock::now() + options.wait_limit;
    for (;;) {
      if (!description) throw std::runtime_error("dynamodb: table " + table.name + " vanished while being created");
      const std::string pending = not_active(*description);
      if (pending.empty()) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        throw std::runtime_error("dynamodb: table " + table.name + " is not ACTIVE in time (" + pending + ")");
      }
      std::this_thread::sleep_for(options.poll);
      description = describe(clients, table.name);
    }
    check_indexes(table, *description);
    enable_ttl(clients, table, log);
    enable_point_in_time_recovery(clients, table.name, log, options);
  }
}

}  // namespace ninja::storage::dynamodb

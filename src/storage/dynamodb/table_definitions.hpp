#pragma once
// The CreateTable (and UpdateTimeToLive) bodies for the layout in table_layout.hpp, which
// `ninja-orders migrate` sends for each table that does not exist yet. On-demand capacity
// (PAY_PER_REQUEST), as the original's tables; every index projects all attributes, so a page is
// one Query and never a Query plus a GetItem per item.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

struct TableDefinition {
  std::string name;
  boost::json::object create;  // CreateTable's body
  // UpdateTimeToLive's body, for the tables whose items expire: the idempotency records, the
  // outbox and the deliveries (expiry.hpp).
  std::optional<boost::json::object> ttl;
};

std::vector<TableDefinition> table_definitions(const TableLayout& layout);

}  // namespace ninja::storage::dynamodb

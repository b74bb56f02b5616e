#pragma once
// Claims with a lease: how several relays or notifiers share one table without doing the same
// work twice, and how work claimed by a process that died is picked up again once its lease ends.
// PostgreSQL claims with FOR UPDATE SKIP LOCKED, DynamoDB with conditional updates, SQLite with an
// UPDATE inside its single writer.
#include <cstdint>
#include <string>

namespace ninja::util {

struct Lease {
  std::string owner;     // unique per process (and role)
  int64_t now_ms = 0;    // the claim's "now": rows leased until before this are free again
  int64_t until_ms = 0;  // the claimed rows stay ours until then
};

}  // namespace ninja::util

#pragma once
// An optional backend capability: a consistent online copy of the whole store (SQLite's backup
// API; server databases have their own tools, such as pg_dump, and offer none here).
#include <string>

namespace ninja::storage {

class Backup {
 public:
  virtual ~Backup() = default;
  // Writes the snapshot to `out_path` while the store stays in use. Blocks: an operator's command.
  virtual void write_to(const std::string& out_path) = 0;
};

}  // namespace ninja::storage

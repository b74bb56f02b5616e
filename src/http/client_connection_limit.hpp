#pragma once
// At most N open connections per client address, so one host cannot take every slot of the server
// (a slowloris from one machine would otherwise lock everyone else out). A Slot holds its place
// for the connection's life. Taken once per connection, from every event loop: a mutex is cheap
// at that rate, and no request pays for it.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ninja::http {

class ClientConnectionLimit {
 public:
  explicit ClientConnectionLimit(size_t max_per_client) : max_(max_per_client) {}  // 0: no cap
  ClientConnectionLimit(const ClientConnectionLimit&) = delete;
  ClientConnectionLimit& operator=(const ClientConnectionLimit&) = delete;

  class Slot {
   public:
    Slot(ClientConnectionLimit& limit, std::string address);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool taken() const { return taken_; }  // false: the address has its share; refuse the connection

   private:
    ClientConnectionLimit& limit_;
    std::string address_;
    bool taken_ = true;
    bool counted_ = false;
  };

  // The addresses with open connections (what the map costs; empty when all have closed).
  size_t tracked_addresses() const;

 private:
  size_t max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, size_t> open_;
};

}  // namespace ninja::http

#include "util/uuid.hpp"
#include "util/hex_digits.hpp"

#include <array>

namespace ninja::util {
namespace {

constexpr uint32_t kCounterBits = 12;
constexpr uint32_t kCounterMax = (1U << kCounterBits) - 1;

void put_hex(std::string& out, uint64_t value, int nibbles) {
  for (int i = nibbles - 1; i >= 0; --i) out.push_back(kHexDigits[(value >> (i * 4)) & 0xF]);
}

}  // namespace

UuidV7Generator::UuidV7Generator(MillisClock clock) : clock_(std::move(clock)), random_(std::random_device{}()) {}

std::string UuidV7Generator::next() {
  int64_t ms = 0;
  uint32_t counter = 0;
  uint64_t rand_b = 0;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = clock_();
    if (now > last_ms_) {
      last_ms_ = now;
      // Start low in the counter space so many ids fit into one millisecond before carrying.
      counter_ = static_cast<uint32_t>(random_() & (kCounterMax >> 2));
    } else if (counter_ < kCounterMax) {
      ++counter_;
    } else {
      ++last_ms_;
      counter_ = 0;
    }
    ms = last_ms_;
    counter = counter_;
    rand_b = random_();
  }
  std::string out;
  out.reserve(36);
  const auto ts = static_cast<uint64_t>(ms) & 0xFFFFFFFFFFFFULL;
  put_hex(out, ts >> 16, 8);
  out.push_back('-');
  put_hex(out, ts & 0xFFFF, 4);
  out.push_back('-');
  put_hex(out, 0x7000U | counter, 4);
  out.push_back('-');
  put_hex(out, 0x8000U | ((rand_b >> 48) & 0x3FFF), 4);
  out.push_back('-');
  put_hex(out, rand_b & 0xFFFFFFFFFFFFULL, 12);
  return out;
}

std::optional<std::string> canonical_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
    } else if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace ninja::util

#include "net/address_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace ninja::net {
namespace {

struct Range4 {
  uint32_t network;
  int prefix;
};

bool is_public_v4(uint32_t host_order) {
  static constexpr std::array<Range4, 13> kBlocked = {{
      {0x00000000, 8},   // "this" network, 0.0.0.0
      {0x0A000000, 8},   // 10/8 private
      {0x64400000, 10},  // 100.64/10 carrier-grade NAT
      {0x7F000000, 8},   // loopback
      {0xA9FE0000, 16},  // link-local (and cloud metadata at 169.254.169.254)
      {0xAC100000, 12},  // 172.16/12 private
      {0xC0000000, 24},  // IETF protocol assignments
      {0xC0000200, 24},  // TEST-NET-1
      {0xC0A80000, 16},  // 192.168/16 private
      {0xC6120000, 15},  // benchmarking
      {0xC6336400, 24},  // TEST-NET-2
      {0xCB007100, 24},  // TEST-NET-3
      {0xE0000000, 3},   // multicast 224/4 and reserved 240/4, broadcast
  }};
  for (const auto& range : kBlocked) {
    const uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
    if ((host_order & mask) == range.network) return false;
  }
  return true;
}

bool is_public_v6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t v4 = 0;
    std::memcpy(&v4, b + 12, 4);
    return is_public_v4(ntohl(v4));
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a)) return false;
  if ((b[0] & 0xFE) == 0xFC) return false;                                         // fc00::/7 unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return false;                         // fe80::/10 link-local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return false;                         // fec0::/10 site-local (deprecated)
  if (b[0] == 0xFF) return false;                                                  // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false;  // 2001:db8::/32 docs
  // 64:ff9b::/96 NAT64 embeds an IPv4 address: judge that one.
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, sizeof kNat64) == 0) {
    uint32_t v4 = 0;
    std::memcpy(&v4, b + 12, 4);
    return is_public_v4(ntohl(v4));
  }
  return true;
}

}  // namespace

bool is_public_address(const sockaddr* address) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, address, sizeof v4);
    return is_public_v4(ntohl(v4.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, address, sizeof v6);
    return is_public_v6(v6.sin6_addr);
  }
  return false;  // unix sockets and anything else
}

bool is_public_address(std::string_view text) {
  const std::string copy(text);
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) return is_public_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) return is_public_v6(v6);
  return false;
}

}  // namespace ninja::net

#include "net/address_guard.hpp"

#include <gtest/gtest.h>

namespace ninja::net {
namespace {

TEST(AddressGuard, RefusesInternalIPv4) {
  for (const char* address :
       {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "198.18.0.1"}) {
    EXPECT_FALSE(is_public_address(address)) << address;
  }
}

TEST(AddressGuard, AllowsPublicIPv4) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.128.0.1", "93.184.216.34"}) {
    EXPECT_TRUE(is_public_address(address)) << address;
  }
}

TEST(AddressGuard, RefusesInternalIPv6IncludingMappedIPv4) {
  for (const char* address : {"::1", "::", "fe80::1", "fd00::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1", "64:ff9b::a00:1", "2001:db8::1"}) {
    EXPECT_FALSE(is_public_address(address)) << address;
  }
}

TEST(AddressGuard, AllowsPublicIPv6) {
  for (const char* address : {"2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_TRUE(is_public_address(address)) << address;
  }
}

TEST(AddressGuard, RefusesWhatIsNotANumericAddress) {
  EXPECT_FALSE(is_public_address("localhost"));
  EXPECT_FALSE(is_public_address(""));
  EXPECT_FALSE(is_public_address(static_cast<const sockaddr*>(nullptr)));
}

}  // namespace
}  // namespace ninja::net

#pragma once
// The SSRF guard for outbound requests to user-supplied URLs (webhooks): they must not reach the
// service's own network.
// Checked on the address actually connected to (after DNS resolution), so a public name that
// resolves to 127.0.0.1 or 10.x is refused as well.
#include <sys/socket.h>

#include <string_view>

namespace ninja::net {

// False for loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT,
// unspecified, multicast, broadcast and reserved addresses, including IPv4 ones mapped into IPv6.
bool is_public_address(const sockaddr* address);
// The same for a numeric address text; false if `text` is not one.
bool is_public_address(std::string_view text);

}  // namespace ninja::net

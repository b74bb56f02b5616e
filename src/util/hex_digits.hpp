#pragma once
// The digits of hexadecimal text, for the few places that write it a nibble at a time.
namespace ninja::util {

inline constexpr char kHexDigits[] = "0123456789abcdef";
inline constexpr char kUpperHexDigits[] = "0123456789ABCDEF";  // percent-encoding (RFC 3986 2.1)

}  // namespace ninja::util

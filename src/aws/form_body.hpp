#pragma once
// The body of an AWS Query-protocol call (SNS) as application/x-www-form-urlencoded: the request
// goes in the POST body, never in a query string (curl 7.88 signs query strings wrongly, curl#9717).
#include <string>
#include <utility>
#include <vector>

namespace ninja::aws {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// name=value pairs joined by '&', in the order given, each percent-encoded as SigV4 does it: every
// byte but A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex), a space too (never '+').
std::string form_body(const FormParams& params);

}  // namespace ninja::aws

#include "storage/postgres/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <vector>

#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {
namespace {

struct FreeOptions {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using Options = std::unique_ptr<PQconninfoOption, FreeOptions>;

Options parse(const std::string& conninfo) {
  char* error = nullptr;
  Options options(PQconninfoParse(conninfo.c_str(), &error));
  if (!options) {
    const std::string reason = error != nullptr ? one_line(error) : "out of memory";
    PQfreemem(error);
    throw PgStartupError("postgres: invalid connection string: " + redact(reason, conninfo));
  }
  return options;
}

std::string value_or_default(const PQconninfoOption* options, std::string_view keyword) {
  for (const auto* option = options; option->keyword != nullptr; ++option) {
    if (keyword != option->keyword) continue;
    if (option->val != nullptr && *option->val != '\0') return option->val;
    if (option->envvar != nullptr) {
      // Nothing in the service sets the environment, so reading it from any thread is safe.
      const char* env = std::getenv(option->envvar);  // NOLINT(concurrency-mt-unsafe)
      if (env != nullptr && *env != '\0') return env;
    }
    return option->compiled != nullptr ? option->compiled : "";
  }
  return "";
}

}  // namespace

std::string session_options(const std::string& conninfo, std::string_view defaults) {
  const Options options = parse(conninfo);
  const std::string own = value_or_default(options.get(), "options");
  return own.empty() ? std::string(defaults) : std::string(defaults) + " " + own;
}

namespace {

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string hex(text.substr(i + 1, 2));
      char* end = nullptr;
      const long byte = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(byte);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// The parts of a connection string that may be a password, in the forms a message could quote.
std::vector<std::string> secrets(std::string_view conninfo) {
  std::vector<std::string> found;
  auto add = [&found](std::string_view secret) {
    if (secret.empty()) return;
    found.emplace_back(secret);
    if (auto decoded = percent_decode(secret); decoded != secret && !decoded.empty()) found.push_back(decoded);
  };
  // URI userinfo: scheme://user:PASSWORD@host...
  if (const size_t scheme = conninfo.find("://"); scheme != std::string_view::npos) {
    const size_t start = scheme + 3;
    const size_t end_of_authority = conninfo.find_first_of("/?", start);
    const std::string_view authority = conninfo.substr(start, end_of_authority - start);
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      if (const size_t colon = userinfo.find(':'); colon != std::string_view::npos) add(userinfo.substr(colon + 1));
    }
  }
  // password=VALUE in key=value strings (maybe quoted, with backslash escapes) and URI query
  // parameters (up to the next '&').
  for (size_t at = conninfo.find("password"); at != std::string_view::npos; at = conninfo.find("password", at + 8)) {
    size_t i = at + 8;
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    if (i >= conninfo.size() || conninfo[i] != '=') continue;
    ++i;
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    if (i < conninfo.size() && conninfo[i] == '\'') {
      std::string value;
      for (++i; i < conninfo.size() && conninfo[i] != '\''; ++i) {
        if (conninfo[i] == '\\' && i + 1 < conninfo.size()) ++i;
        value += conninfo[i];
      }
      add(value);
    } else {
      const size_t end = conninfo.find_first_of(" &", i);
      add(conninfo.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    }
  }
  return found;
}

}  // namespace

void check_syntax(const std::string& conninfo) { parse(conninfo); }

std::string describe(const std::string& conninfo) {
  const Options options = parse(conninfo);
  std::string out;
  for (const char* keyword : {"host", "hostaddr", "port", "dbname", "user"}) {
    std::string value = value_or_default(options.get(), keyword);
    if (std::string_view(keyword) == "hostaddr" && value.empty()) continue;
    if (std::string_view(keyword) == "host" && value.empty()) value = "(unix socket)";
    if (std::string_view(keyword) == "dbname" && value.empty()) value = value_or_default(options.get(), "user");
    if (std::string_view(keyword) == "user" && value.empty()) value = "(login name)";
    if (!out.empty()) out += ' ';
    out += std::string(keyword) + "=" + value;
  }
  return out;  // built from fields that are not the password
}

std::string describe(const pg_conn* conn) {
  auto text = [](const char* value, const char* fallback) {
    return value != nullptr && *value != '\0' ? std::string(value) : std::string(fallback);
  };
  return "host=" + text(PQhost(conn), "(unix socket)") + " port=" + text(PQport(conn), "5432") +
         " dbname=" + text(PQdb(conn), "?") + " user=" + text(PQuser(conn), "?");
}

std::string redact(std::string_view message, std::string_view conninfo) {
  std::string out(message);
  for (const std::string& secret : secrets(conninfo)) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

}  // namespace ninja::storage::postgres

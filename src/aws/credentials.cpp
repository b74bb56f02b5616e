#include "aws/credentials.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

namespace ninja::aws {

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The keys of one [section] of an INI file as the AWS CLI writes it: `key = value` lines,
// comments starting with '#' or ';'. A section that appears twice is merged, the later line wins.
std::optional<std::map<std::string, std::string>> ini_section(const std::string& text, const std::string& wanted) {
  std::optional<std::map<std::string, std::string>> found;
  bool inside = false;
  std::istringstream lines(text);
  for (std::string raw; std::getline(lines, raw);) {
    const std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      inside = close != std::string_view::npos && trim(line.substr(1, close - 1)) == wanted;
      if (inside && !found) found.emplace();
      continue;
    }
    const auto equals = line.find('=');
    if (!inside || equals == std::string_view::npos) continue;
    (*found)[std::string(trim(line.substr(0, equals)))] = std::string(trim(line.substr(equals + 1)));
  }
  return found;
}

std::string value_or_empty(const Environment& environment, const std::string& name) {
  return environment(name).value_or("");
}

Credentials from_profile(const Environment& environment, const FileReader& read_file) {
  const std::string profile = environment("AWS_PROFILE").value_or("default");
  std::string path;
  if (auto configured = environment("AWS_SHARED_CREDENTIALS_FILE")) {
    path = *configured;
  } else if (auto home = environment("HOME")) {
    path = *home + "/.aws/credentials";
  } else {
    throw ConfigurationError(
        "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and neither "
        "AWS_SHARED_CREDENTIALS_FILE nor HOME says where a credentials file would be");
  }
  const auto text = read_file(path);
  if (!text) {
    throw ConfigurationError("no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and " +
                             path + " cannot be read");
  }
  const auto section = ini_section(*text, profile);
  if (!section) throw ConfigurationError("no AWS credentials: profile '" + profile + "' is not in " + path);
  const auto get = [&](const char* key) {
    const auto it = section->find(key);
    return it == section->end() ? std::string() : it->second;
  };
  Credentials credentials{get("aws_access_key_id"), get("aws_secret_access_key"), get("aws_session_token"),
                          "profile " + profile + " in " + path};
  for (const auto& [key, value] : {std::pair{"aws_access_key_id", &credentials.access_key_id},
                                   std::pair{"aws_secret_access_key", &credentials.secret_access_key}}) {
    if (value->empty()) {
      throw ConfigurationError("no AWS credentials: profile '" + profile + "' in " + path + " has no " + key);
    }
  }
  return credentials;
}

}  // namespace

Credentials resolve_credentials(const Environment& environment, const FileReader& read_file) {
  const std::string key = value_or_empty(environment, "AWS_ACCESS_KEY_ID");
  const std::string secret = value_or_empty(environment, "AWS_SECRET_ACCESS_KEY");
  if (!key.empty() && !secret.empty()) {
    return {key, secret, value_or_empty(environment, "AWS_SESSION_TOKEN"), "environment"};
  }
  // Half a pair is a mistake to report, not a reason to use some other identity from a file.
  if (!key.empty()) throw ConfigurationError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  if (!secret.empty()) throw ConfigurationError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  return from_profile(environment, read_file);
}

std::string resolve_region(const std::string& from_url, const Environment& environment) {
  std::string region = from_url;
  std::string origin = "the URL";
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (!region.empty()) break;
    region = value_or_empty(environment, name);
    origin = name;
  }
  if (region.empty()) {
    throw ConfigurationError("no AWS region: give it in the URL (e.g. dynamodb://us-east-1) or set AWS_REGION");
  }
  const bool plausible =
      region.size() <= 32 && region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
  if (!plausible) throw ConfigurationError("the AWS region from " + origin + " is not a region name: " + region);
  return region;
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

FileReader file_system_reader() {
  return [](const std::string& path) -> std::optional<std::string> {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  };
}

}  // namespace ninja::aws

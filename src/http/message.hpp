#pragma once
// Transport-neutral request and response types: the api/ layer sees these, never Beast.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ninja::http {

struct Header {
  std::string name;  // request header names are lower-cased by the server
  std::string value;
};

struct Request {
  std::string method;
  std::string target;  // as received: path and query
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded
  bool malformed_query = false;  // the query is not valid percent-encoding: 400, whatever the route
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::string client_id;  // the authenticated API key id; "" when auth is off

  // The first header of that (lower-case) name, or "" if absent.
  std::string_view header(std::string_view lower_name) const;
  bool has_header(std::string_view lower_name) const;
  // The first query parameter of that name, or nullptr.
  const std::string* query_param(std::string_view name) const;
  size_t query_count(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: no body
  std::vector<Header> headers;
  std::string body;
  std::string diagnostic;  // why a 5xx happened: logged by the pipeline, never sent to the client

  static Response json(int status, std::string body);
  static Response text(int status, std::string content_type, std::string body);
  static Response empty(int status);
  Response& with_header(std::string name, std::string value);
};

// The values of a path template's {placeholders}, in order of appearance.
struct PathParams {
  std::vector<std::pair<std::string_view, std::string>> values;
  std::string_view get(std::string_view name) const;
};

}  // namespace ninja::http

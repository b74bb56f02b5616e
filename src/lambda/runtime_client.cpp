#include "lambda/runtime_client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

#include "util/logging.hpp"

namespace ninja::lambda {
namespace {

constexpr long kConnectTimeoutMs = 2000;  // the Runtime API is on the same host
constexpr long kReplyTimeoutMs = 10000;

struct Received {
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
};

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  static_cast<Received*>(user)->body.append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    static_cast<Received*>(user)->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

// A fresh request on the kept handle: curl_easy_reset() keeps the connection cache, so every call
// after the first reuses the connection.
void prepare_call(CURL* h, const std::string& url, Received& received, long timeout_ms) {
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &received);
}

long perform_call(CURL* h, const std::string& what) {
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) throw RuntimeApiError(what + ": " + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

ReplyOutcome reply_outcome(long status, const std::string& what, const std::string& body) {
  if (status == 202) return ReplyOutcome::accepted;
  if (status == 410) return ReplyOutcome::too_late;
  if (status == 400 || status == 403 || status == 413) return ReplyOutcome::refused;
  throw RuntimeApiError(what + " answered " + std::to_string(status) + ": " + body.substr(0, 200));
}

}  // namespace

std::string error_document(std::string_view error_type, std::string_view message) {
  std::string out = "{\"errorMessage\":";
  util::append_json_string(out, message);
  out += ",\"errorType\":";
  util::append_json_string(out, error_type);
  out += ",\"stackTrace\":[]}";
  return out;
}

RuntimeClient::RuntimeClient(std::string address)
    : base_("http://" + std::move(address) + "/2018-06-01"), easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("libcurl could not create a handle");
}

Invocation RuntimeClient::next() {
  Received received;
  prepare_call(easy_.get(), base_ + "/runtime/invocation/next", received, 0);  // 0: no time limit
  const long status = perform_call(easy_.get(), "GET /runtime/invocation/next");
  if (status != 200) {
    throw RuntimeApiError("GET /runtime/invocation/next answered " + std::to_string(status) + ": " +
                          received.body.substr(0, 200));
  }
  Invocation invocation;
  invocation.request_id = received.header("lambda-runtime-aws-request-id");
  // The id goes into the reply's URL path.
  const auto& id = invocation.request_id;
  if (id.empty() || id.size() > 128 || !std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    throw RuntimeApiError("an invocation without a usable Lambda-Runtime-Aws-Request-Id");
  }
  const std::string deadline = received.header("lambda-runtime-deadline-ms");
  std::from_chars(deadline.data(), deadline.data() + deadline.size(), invocation.deadline_ms);
  invocation.function_arn = received.header("lambda-runtime-invoked-function-arn");
  invocation.trace_id = received.header("lambda-runtime-trace-id");
  invocation.invocation_id = received.header("lambda-runtime-invocation-id");
  invocation.event = std::move(received.body);
  return invocation;
}

RuntimeClient::Reply RuntimeClient::post(const std::string& path, std::string_view body, const std::string& error_type,
                                         const std::string& invocation_id) {
  Received received;
  prepare_call(easy_.get(), base_ + path, received, kReplyTimeoutMs);
  net::CurlList headers;
  headers.append("Expect:");  // no 100-continue round trip for large responses
  if (!error_type.empty()) {
    headers.append("Content-Type: application/vnd.aws.lambda.error+json");
    headers.append("Lambda-Runtime-Function-Error-Type: " + error_type);
  } else {
    headers.append("Content-Type: application/json");
  }
  // Lambda refuses (410) a reply that does not echo the invocation's nonce, so that a runtime still
  // busy with a timed-out invocation cannot answer the next one.
  if (!invocation_id.empty()) headers.append("Lambda-Runtime-Invocation-Id: " + invocation_id);
  curl_easy_setopt(easy_.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy_.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(easy_.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy_.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const long status = perform_call(easy_.get(), "POST " + path);
  return {status, std::move(received.body)};
}

ReplyOutcome RuntimeClient::respond(const Invocation& invocation, std::string_view body) {
  const std::string path = "/runtime/invocation/" + invocation.request_id + "/response";
  auto reply = post(path, body, {}, invocation.invocation_id);
  return reply_outcome(reply.status, "POST " + path, reply.body);
}

ReplyOutcome RuntimeClient::fail(const Invocation& invocation, std::string_view error_type, std::string_view message) {
  const std::string path = "/runtime/invocation/" + invocation.request_id + "/error";
  auto reply = post(path, error_document(error_type, message), std::string(error_type), invocation.invocation_id);
  return reply_outcome(reply.status, "POST " + path, reply.body);
}

void RuntimeClient::init_error(std::string_view error_type, std::string_view message) {
  auto reply = post("/runtime/init/error", error_document(error_type, message), std::string(error_type), {});
  if (reply.status != 202) {
    throw RuntimeApiError("POST /runtime/init/error answered " + std::to_string(reply.status));
  }
}

}  // namespace ninja::lambda

#pragma once
// Small owners for libcurl's C handles, and the process-wide setup libcurl wants done once
// before any thread uses it (owned by whoever builds the channels, not a global).
#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace ninja::net {

class CurlRuntime {
 public:
  CurlRuntime() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialise");
  }
  ~CurlRuntime() { curl_global_cleanup(); }
  CurlRuntime(const CurlRuntime&) = delete;
  CurlRuntime& operator=(const CurlRuntime&) = delete;
};

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// A curl_slist built up line by line (headers, SMTP recipients).
class CurlList {
 public:
  void append(const std::string& line) {
    curl_slist* grown = curl_slist_append(list_.get(), line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    (void)list_.release();
    list_.reset(grown);
  }
  curl_slist* get() const { return list_.get(); }

 private:
  std::unique_ptr<curl_slist, CurlListDeleter> list_;
};

// A fresh easy handle with the options every notification transfer shares: no signals (we are
// multi-threaded), no proxies from the environment, an overall timeout. Shared by the notification
// channels and, later, the AWS clients.
CurlEasy new_curl_easy(long timeout_ms);

}  // namespace ninja::net

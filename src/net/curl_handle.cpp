#include "net/curl_handle.hpp"

namespace ninja::net {

CurlEasy new_curl_easy(long timeout_ms) {
  CurlEasy easy(curl_easy_init());
  if (!easy) throw std::runtime_error("libcurl could not create a handle");
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // environment proxies would bypass the address guard
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  return easy;
}

}  // namespace ninja::net

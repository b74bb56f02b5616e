#include "net/curl_multi.hpp"

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <future>
#include <unordered_map>

#include "util/unavailable.hpp"

namespace ninja::net {

namespace asio = boost::asio;

namespace {

std::exception_ptr shutting_down() {
  return std::make_exception_ptr(util::Unavailable("http: the client is shutting down"));
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// True when the socket is ready in `events` right now. Asio's reactor is edge-triggered and a wait
// started after the edge passed would sleep until the next packet; curl expects level-triggered
// readiness (it may leave bytes in the socket), so each wait is preceded by this look.
bool ready_now(int fd, short events) {
  pollfd probe{fd, events, 0};
  return ::poll(&probe, 1, 0) > 0 && (probe.revents & (events | POLLERR | POLLHUP)) != 0;
}

}  // namespace

std::optional<std::string_view> HttpExchange::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

struct CurlMulti::State : std::enable_shared_from_this<State> {
  // One socket curl asked us to watch. `id` tells a wait's handler whether the socket it waited on
  // is still the one under that number (curl closes sockets, the kernel reuses numbers).
  struct Watch {
    Watch(asio::io_context& io, uint64_t id) : descriptor(io), id(id) {}
    asio::posix::stream_descriptor descriptor;
    uint64_t id;
    int wanted = 0;  // CURL_POLL_IN / OUT / INOUT
    bool reading = false;
    bool writing = false;
  };

  struct Pending {
    HttpTransfer transfer;
    util::Completion<HttpExchange> done;
    HttpExchange result;
    size_t limit = 0;
    char error[CURL_ERROR_SIZE] = {};
  };

  State(asio::io_context& io, CurlMultiOptions options) : io(io), options(std::move(options)), timer(io) {}
  ~State() {
    if (multi != nullptr) curl_multi_cleanup(multi);
  }

  asio::io_context& io;
  CurlMultiOptions options;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::unique_ptr<Watch>> watches;
  std::unordered_map<CURL*, std::unique_ptr<Pending>> pending;
  std::atomic<size_t> count{0};
  std::atomic<bool> closed{false};
  uint64_t next_watch_id = 0;

  void open() {
    multi = curl_multi_init();
    if (multi == nullptr) throw std::runtime_error("libcurl could not create a multi handle");
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &State::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &State::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_cached_connections);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
  }

  // --- curl's callbacks: they only record what to watch; curl may not be re-entered from them ---
  static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    static_cast<State*>(self)->watch(fd, what);
    return 0;
  }
  static int on_timer(CURLM*, long timeout_ms, void* self) {
    static_cast<State*>(self)->schedule(timeout_ms);
    return 0;
  }
  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* pending = static_cast<Pending*>(user);
    const size_t bytes = size * count;
    if (pending->result.body.size() + bytes > pending->limit) return 0;  // curl fails the transfer
    pending->result.body.append(data, bytes);
    return bytes;
  }
  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* pending = static_cast<Pending*>(user);
    const std::string_view line(data, size * count);
    auto& headers = pending->result.headers;
    if (line.starts_with("HTTP/")) {
      headers.clear();  // a new response begins (after a 100 Continue): only the last one counts
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos && headers.size() < 200) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      headers.emplace_back(std::move(name), trimmed(line.substr(colon + 1)));
    }
    return size * count;
  }

  void watch(curl_socket_t fd, int what) {
    if (what == CURL_POLL_REMOVE) {
      if (auto it = watches.find(fd); it != watches.end()) {
        it->second->descriptor.release();  // curl owns the socket and closes it; release, never close
        watches.erase(it);
      }
      return;
    }
    if (closed) return;
    auto& watch = watches[fd];
    if (!watch) {
      watch = std::make_unique<Watch>(io, ++next_watch_id);
      boost::system::error_code ec;
      watch->descriptor.assign(fd, ec);
      if (ec) {  // cannot happen with a fresh socket; the transfer's own timeout then ends it
        watches.erase(fd);
        return;
      }
    }
    watch->wanted = what;
    arm(fd, *watch);
  }

  void arm(curl_socket_t fd, Watch& watch) {
    if ((watch.wanted & CURL_POLL_IN) != 0 && !watch.reading) {
      watch.reading = true;
      wait(fd, watch, asio::posix::stream_descriptor::wait_read);
    }
    if ((watch.wanted & CURL_POLL_OUT) != 0 && !watch.writing) {
      watch.writing = true;
      wait(fd, watch, asio::posix::stream_descriptor::wait_write);
    }
  }

  void wait(curl_socket_t fd, Watch& watch, asio::posix::stream_descriptor::wait_type direction) {
    auto handler = [weak = weak_from_this(), fd, id = watch.id, direction](const boost::system::error_code& ec) {
      if (auto self = weak.lock()) self->on_ready(fd, id, direction, ec);
    };
    const bool read = direction == asio::posix::stream_descriptor::wait_read;
    if (ready_now(fd, read ? POLLIN : POLLOUT)) {
      asio::post(io, [handler] { handler({}); });
    } else {
      watch.descriptor.async_wait(direction, handler);
    }
  }

  void on_ready(curl_socket_t fd, uint64_t id, asio::posix::stream_descriptor::wait_type direction,
                const boost::system::error_code& ec) {
    auto it = watches.find(fd);
    if (it == watches.end() || it->second->id != id) return;  // curl is done with that socket
    const bool read = direction == asio::posix::stream_descriptor::wait_read;
    (read ? it->second->reading : it->second->writing) = false;
    if (ec == asio::error::operation_aborted) return;
    const int bit = read ? CURL_POLL_IN : CURL_POLL_OUT;
    if ((it->second->wanted & bit) != 0) {
      action(fd, ec ? CURL_CSELECT_ERR : (read ? CURL_CSELECT_IN : CURL_CSELECT_OUT));
    }
    it = watches.find(fd);  // the action may have removed or replaced it
    if (it != watches.end() && it->second->id == id) arm(fd, *it->second);
  }

  void schedule(long timeout_ms) {
    if (closed) return;
    if (timeout_ms < 0) {
      timer.cancel();
      return;
    }
    // Even a timeout of 0 goes through the loop: curl may not be called from its own callback.
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!ec && self && !self->closed) self->action(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  void action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    complete_finished();
  }

  // Completions run after curl is done with its bookkeeping: they may start transfers or shut down.
  void complete_finished() {
    std::vector<std::unique_ptr<Pending>> finished;
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      const auto it = pending.find(message->easy_handle);
      if (it == pending.end()) continue;
      auto done = std::move(it->second);
      pending.erase(it);
      CURL* easy = done->transfer.easy.get();
      done->result.code = message->data.result;
      curl_multi_remove_handle(multi, easy);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &done->result.status);
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &done->result.new_connections);
      if (done->result.code != CURLE_OK) {
        done->result.error = done->error[0] != '\0' ? done->error : curl_easy_strerror(done->result.code);
      }
      finished.push_back(std::move(done));
      --count;
    }
    for (auto& done : finished) {
      auto completion = std::move(done->done);
      auto result = std::move(done->result);
      done.reset();  // the easy handle goes before the completion may start the next transfer
      completion(std::move(result), nullptr);
    }
  }

  void add(HttpTransfer transfer, util::Completion<HttpExchange> done) {
    if (closed) return done({}, shutting_down());
    auto owned = std::make_unique<Pending>();
    owned->transfer = std::move(transfer);
    owned->done = std::move(done);
    owned->limit = options.max_response_bytes;
    Pending* p = owned.get();
    CURL* easy = p->transfer.easy.get();
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, p->transfer.headers.get());
    if (p->transfer.post) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, p->transfer.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p->transfer.body.size()));
    }
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &State::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &State::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, p);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, p->error);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    pending.emplace(easy, std::move(owned));
    ++count;
    if (const CURLMcode code = curl_multi_add_handle(multi, easy); code != CURLM_OK) {
      auto failed = std::move(pending[easy]);
      pending.erase(easy);
      --count;
      HttpExchange result;
      result.code = CURLE_FAILED_INIT;
      result.error = curl_multi_strerror(code);
      failed->done(std::move(result), nullptr);
    }
  }

  void close() {
    if (closed.exchange(true)) return;
    std::vector<std::unique_ptr<Pending>> stopped;
    for (auto& [easy, p] : pending) {
      curl_multi_remove_handle(multi, easy);
      stopped.push_back(std::move(p));
    }
    pending.clear();
    count = 0;
    // Before curl closes its sockets, so no number reaches the reactor again after its reuse.
    for (auto& [fd, watch] : watches) watch->descriptor.release();
    watches.clear();
    timer.cancel();
    curl_multi_cleanup(multi);
    multi = nullptr;
    for (auto& p : stopped) {
      auto completion = std::move(p->done);
      p.reset();
      completion({}, shutting_down());
    }
  }
};

CurlMulti::CurlMulti(asio::io_context& io, CurlMultiOptions options)
    : io_(io), state_(std::make_shared<State>(io, std::move(options))) {
  state_->open();
}

CurlMulti::~CurlMulti() { shutdown(); }

void CurlMulti::perform(HttpTransfer transfer, util::Completion<HttpExchange> done) {
  if (state_->closed) return done({}, shutting_down());
  if (io_.get_executor().running_in_this_thread()) return state_->add(std::move(transfer), std::move(done));
  asio::post(io_, [weak = std::weak_ptr<State>(state_), transfer = std::move(transfer), done]() mutable {
    if (auto self = weak.lock()) return self->add(std::move(transfer), std::move(done));
    done({}, shutting_down());
  });
}

void CurlMulti::shutdown() {
  if (state_->closed) return;
  if (io_.get_executor().running_in_this_thread() || io_.stopped()) return state_->close();
  std::promise<void> closed;
  asio::post(io_, [state = state_, &closed] {
    state->close();
    closed.set_value();
  });
  closed.get_future().wait();
}

size_t CurlMulti::in_flight() const { return state_->count.load(std::memory_order_relaxed); }

}  // namespace ninja::net

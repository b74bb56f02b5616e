#pragma once
// A blocking HTTP/1.1 client connection for the server's tests: raw bytes out, responses back as
// text, so a test sees exactly what the server put on the wire.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <string>

namespace ninja::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Client {
 public:
  explicit Client(const std::string& address) {
    const auto colon = address.rfind(':');
    socket_.connect({asio::ip::make_address(address.substr(0, colon)),
                     static_cast<uint16_t>(std::stoi(address.substr(colon + 1)))});
  }
  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  void get(const std::string& path) { send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"); }
  // The next response's head only, for a HEAD request ("" when the server closed the connection).
  std::string head() {
    boost::system::error_code ec;
    const size_t size = asio::read_until(socket_, buffer_, "\r\n\r\n", ec);
    if (ec) return "";
    std::string text(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + size);
    buffer_.consume(size);
    return text;
  }
  // The next response's head and body ("" when the server closed the connection first).
  std::string response() {
    std::string text = head();
    if (text.empty()) return "";
    boost::system::error_code ec;
    size_t length = 0;
    if (const auto at = text.find("Content-Length: "); at != std::string::npos)
      length = std::stoul(text.substr(at + 16));
    if (buffer_.size() < length) asio::read(socket_, buffer_, asio::transfer_exactly(length - buffer_.size()), ec);
    text.append(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + length);
    buffer_.consume(length);
    return text;
  }
  // Whatever the server sent before closing, up to `limit` bytes (for a check that nothing follows).
  std::string rest(size_t limit = 65536) {
    std::string out(asio::buffers_begin(buffer_.data()), asio::buffers_end(buffer_.data()));
    buffer_.consume(buffer_.size());
    char chunk[4096];
    boost::system::error_code ec;
    while (out.size() < limit) {
      const size_t n = socket_.read_some(asio::buffer(chunk), ec);
      if (ec) break;
      out.append(chunk, n);
    }
    return out;
  }
  bool closed_by_server() {
    char byte = 0;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_{io_};
  asio::streambuf buffer_;
};

}  // namespace ninja::http

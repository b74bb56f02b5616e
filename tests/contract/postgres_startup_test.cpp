// Bad configuration fails fast with one clear line naming host, port, database and user, never the
// password: a malformed string, a refused connection, a server that never answers, a failed login.
// Only the last needs the server under test.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "postgres_test_support.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_listener.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::PgPool;
using postgres::PgStartupError;
using postgres::PoolOptions;

// A loopback TCP socket bound to a free port; listening (the kernel accepts connections, nobody
// answers) or not (connections are refused).
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    port_ = ntohs(address.sin_port);
    if (listen) ::listen(fd_, 16);
  }
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  ~LoopbackPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::string startup_error(const std::string& conninfo, std::chrono::milliseconds connect_timeout) {
  PoolOptions options;
  options.conninfo = conninfo;
  options.connections = 2;
  options.connect_timeout = connect_timeout;
  try {
    PgPool pool(options);
  } catch (const PgStartupError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PostgresStartup, DescribeNamesTheTargetWithoutThePassword) {
  EXPECT_EQ(postgres::describe("postgresql://ann:s3cret@db.example:6543/orders"),
            "host=db.example port=6543 dbname=orders user=ann");
  EXPECT_EQ(postgres::describe("host=10.0.0.5 port=5433 dbname=shop user=bob password=s3cret"),
            "host=10.0.0.5 port=5433 dbname=shop user=bob");
  EXPECT_EQ(postgres::describe("postgres://bob@h/db?password=s3cret&application_name=x"),
            "host=h port=5432 dbname=db user=bob");
}

TEST(PostgresStartup, RedactRemovesPasswordsInEveryForm) {
  const std::string uri = "postgresql://ann:p%40ss%zzword@h/db";
  EXPECT_EQ(postgres::redact("bad token \"p%40ss%zzword\" and p@ss%zzword", uri), "bad token \"***\" and ***");
  EXPECT_EQ(postgres::redact("x hunter2 y", "host=h password=hunter2 user=u"), "x *** y");
  EXPECT_EQ(postgres::redact("x it's quoted y", R"(host=h password='it\'s quoted' user=u)"), "x *** y");
  EXPECT_EQ(postgres::redact("q hunter2 r", "postgres://u@h/db?password=hunter2&sslmode=disable"), "q *** r");
}

TEST(PostgresStartup, MalformedStringsFailWithoutEchoingThePassword) {
  for (const std::string bad :
       {"postgresql://ann:s3cr%zzet@127.0.0.1:5432/db", "postgresql://ann:s3cret@127.0.0.1:5432/db?nosuch=1",
        "host=127.0.0.1 password='s3cret", "postgresql://ann:s3cret@[::1/db"}) {
    SCOPED_TRACE(bad);
    const std::string message = startup_error(bad, std::chrono::seconds(2));
    EXPECT_TRUE(message.starts_with("postgres: invalid connection string: ")) << message;
    EXPECT_EQ(message.find("s3cr"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(PostgresStartup, RefusedConnectionNamesHostPortAndDatabase) {
  LoopbackPort closed(false);
  const std::string port = std::to_string(closed.port());
  const auto start = std::chrono::steady_clock::now();
  const std::string message =
      startup_error("postgresql://ann:topsecret@127.0.0.1:" + port + "/orders_db", std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(
      message.starts_with("postgres: cannot connect to host=127.0.0.1 port=" + port + " dbname=orders_db user=ann: "))
      << message;
  EXPECT_NE(message.find("refused"), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  // The same line from the blocking path migrations use.
  try {
    postgres::migrate("host=127.0.0.1 port=" + port + " dbname=orders_db user=ann password=topsecret");
    ADD_FAILURE() << "migrate must fail";
  } catch (const PgStartupError& e) {
    EXPECT_NE(std::string(e.what()).find("port=" + port), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
}

TEST(PostgresStartup, ServerThatNeverAnswersTimesOut) {
  LoopbackPort silent(true);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = startup_error(
      "postgresql://ann:topsecret@127.0.0.1:" + std::to_string(silent.port()) + "/db", std::chrono::milliseconds(300));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_NE(message.find("timed out after 300 ms"), std::string::npos) << message;
  EXPECT_NE(message.find("port=" + std::to_string(silent.port())), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
}

TEST(PostgresStartup, UnresolvableHostNamesTheName) {
  const std::string message =
      startup_error("postgresql://ann:topsecret@no-such-host.invalid:5432/db", std::chrono::seconds(5));
  EXPECT_TRUE(
      message.starts_with("postgres: cannot connect to host=no-such-host.invalid port=5432 dbname=db user=ann: "))
      << message;
  EXPECT_NE(message.find("could not translate host name \"no-such-host.invalid\""), std::string::npos) << message;
  EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
}

class PostgresLogin : public PostgresTest {};

// The host name is looked up off the loop and handed to libpq as hostaddr; login still works
// (the password comes from the URL, matched to the name as .pgpass would be).
TEST_F(PostgresLogin, HostNamesAreResolvedAndConnect) {
  if (conninfo_value(base_url_, "host") != "127.0.0.1") GTEST_SKIP() << "the server under test is not on 127.0.0.1";
  PoolOptions options;
  options.conninfo = with_host_port(base_url_, "localhost", std::stoi(conninfo_value(base_url_, "port")));
  options.connections = 2;
  PgPool pool(options);
  EXPECT_EQ(pool.run(postgres::statement("SELECT 1")).int64(0, 0), 1);
  EXPECT_NE(pool.target().find("host=localhost"), std::string::npos) << pool.target();
}

TEST_F(PostgresLogin, WrongPasswordFailsWithoutShowingIt) {
  const std::string wrong = "wr0ng-Passw0rd-" + random_name("");
  const std::string message = startup_error(with_password(base_url_, wrong), std::chrono::seconds(5));
  if (message == "(no error)") GTEST_SKIP() << "the server under test does not check passwords (trust)";
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find("host=" + conninfo_value(base_url_, "host")), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST_F(PostgresLogin, UnknownDatabaseIsNamed) {
  const std::string message =
      startup_error(with_param(base_url_, "dbname", "no_such_db_here", "no_such_db_here"), std::chrono::seconds(5));
  EXPECT_NE(message.find("dbname=no_such_db_here"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

}  // namespace
}  // namespace ninja::contract::pg

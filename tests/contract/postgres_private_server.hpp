#pragma once
// A PostgreSQL cluster of one test's own, in a temp dir on a free loopback port, for tests that
// restart or stop the server: done to the shared server under test, that would break every other
// test running beside them. initdb and pg_ctl run as the `postgres` account when we are root
// (PostgreSQL refuses to run as root). Clients log in with a password (scram-sha-256).
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "postgres_test_support.hpp"
#include "support/temp_dir.hpp"

namespace ninja::contract::pg {

class PrivateServer {
 public:
  // The directory holding initdb and pg_ctl: $NINJA_PG_BINDIR, then `pg_config --bindir`'s
  // Debian location, then the newest /usr/lib/postgresql/N/bin.
  static std::optional<std::filesystem::path> bindir() {
    std::vector<std::filesystem::path> candidates;
    if (const char* dir = std::getenv("NINJA_PG_BINDIR"); dir != nullptr && *dir != '\0') candidates.emplace_back(dir);
    std::error_code ignored;
    std::vector<std::filesystem::path> versions;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ignored)) {
      versions.push_back(entry.path() / "bin");
    }
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
      return std::atoi(a.parent_path().filename().c_str()) > std::atoi(b.parent_path().filename().c_str());
    });
    candidates.insert(candidates.end(), versions.begin(), versions.end());
    for (const auto& dir : candidates) {
      if (::access((dir / "initdb").c_str(), X_OK) == 0 && ::access((dir / "pg_ctl").c_str(), X_OK) == 0) return dir;
    }
    return std::nullopt;
  }

  explicit PrivateServer(std::filesystem::path bin) : bin_(std::move(bin)) {
    if (::geteuid() == 0) {
      const passwd* account = ::getpwnam("postgres");
      if (account == nullptr) throw std::runtime_error("running as root but there is no postgres account");
      uid_ = account->pw_uid;
      gid_ = account->pw_gid;
      if (::chown(dir_.path().c_str(), *uid_, *gid_) != 0) throw std::runtime_error("cannot chown the server dir");
    }
    { std::ofstream(dir_.path() / "pw") << password_ << "\n"; }
    own(dir_.path() / "pw");
    run({bin_ / "initdb", "-D", data(), "-U", "postgres", "-A", "scram-sha-256",
         "--pwfile=" + (dir_.path() / "pw").string(), "--no-sync", "--no-instructions", "-E", "UTF8"});
    port_ = free_port();
    start();
  }
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;
  ~PrivateServer() {
    try {
      run({bin_ / "pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop"});
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): already stopped
    }
  }

  std::string url() const {
    return "postgresql://postgres:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/postgres";
  }
  int port() const { return port_; }

  // A crash and a start: every backend is killed, the server replays its WAL (only what committed
  // survives) and listens again on the same port.
  void restart_immediately() {
    run({bin_ / "pg_ctl", "-D", data(), "-l", (dir_.path() / "log").string(), "-m", "immediate", "-w", "-t", "30",
         "restart"});
  }
  void stop_immediately() { run({bin_ / "pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop"}); }
  void start() {
    run({bin_ / "pg_ctl", "-D", data(), "-l", (dir_.path() / "log").string(), "-w", "-t", "30", "-o",
         "-p " + std::to_string(port_) + " -k " + dir_.path().string() + " -c listen_addresses=127.0.0.1", "start"});
  }

 private:
  std::string data() const { return (dir_.path() / "data").string(); }

  void own(const std::filesystem::path& path) const {
    if (uid_ && ::chown(path.c_str(), *uid_, *gid_) != 0) throw std::runtime_error("cannot chown " + path.string());
  }

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
  }

  // Runs a program (as the postgres account when root) with output to the log; throws on failure.
  void run(const std::vector<std::string>& argv) const {
    const std::string log = (dir_.path() / "tool.log").string();
    const std::string cwd = dir_.path().string();
    // Everything the child needs is ready before fork(): other threads may hold malloc's lock.
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      if (uid_ && (::setgroups(0, nullptr) != 0 || ::setgid(*gid_) != 0 || ::setuid(*uid_) != 0)) ::_exit(126);
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream in(log);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      throw std::runtime_error(argv[0] + " failed: " + text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
    }
  }

  const std::filesystem::path bin_;
  testing_support::TempDir dir_;
  const std::string password_ = random_name("pw-");
  std::optional<uid_t> uid_;
  std::optional<gid_t> gid_;
  int port_ = 0;
};

}  // namespace ninja::contract::pg

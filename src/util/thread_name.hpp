#pragma once
// Names the calling thread (shown by top -H, ps -L, gdb and perf), so an operator can tell the
// SQLite writer from an HTTP I/O thread or a notification worker. Linux keeps 15 characters.
#include <pthread.h>

#include <string>

namespace ninja::util {

inline void name_this_thread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace ninja::util

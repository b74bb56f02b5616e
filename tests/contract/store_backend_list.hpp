#pragma once
// Every backend the storage contract suites run against.
#include "store_backends.hpp"

namespace ninja::contract {

using StoreBackends = ::testing::Types<SqliteBackend>;

}  // namespace ninja::contract

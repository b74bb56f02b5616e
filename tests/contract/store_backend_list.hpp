#pragma once
// Every backend the storage contract suites run against.
#include "postgres_backend.hpp"
#include "store_backends.hpp"

namespace ninja::contract {

using StoreBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace ninja::contract

// store/conformance_test.cc — every backend of src/store through the one suite.
#include <memory>
#include <string>

#include "cadre/store.h"
#include "gtest/gtest.h"
#include "store/fault_injecting_store.h"
#include "testing/store_conformance.h"

namespace cadre {
namespace {

using testing::StoreBackend;
using testing::StorePersistenceTest;

absl::StatusOr<std::unique_ptr<Store>> OpenMemory(const std::string&) { return NewMemoryStore(); }

absl::StatusOr<std::unique_ptr<Store>> OpenSqlite(const std::string& dir) { return OpenSqliteStore(dir + "/store.db"); }

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteByUri(const std::string& dir) {
  return OpenStore("sqlite:" + dir + "/uri store.db");
}

// The wrapper with no fault armed must be indistinguishable from what it wraps.
absl::StatusOr<std::unique_ptr<Store>> OpenFaultInjectingMemory(const std::string&) {
  return std::make_unique<FaultInjectingStore>(NewMemoryStore());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"memory", &OpenMemory, false},
                                           StoreBackend{"sqlite", &OpenSqlite, true},
                                           StoreBackend{"sqlite_uri", &OpenSqliteByUri, true},
                                           StoreBackend{"fault_injecting_memory", &OpenFaultInjectingMemory, false}),
                         testing::StoreBackendName);
INSTANTIATE_TEST_SUITE_P(Backends, StorePersistenceTest,
                         ::testing::Values(StoreBackend{"sqlite", &OpenSqlite, true},
                                           StoreBackend{"sqlite_uri", &OpenSqliteByUri, true}),
                         testing::StoreBackendName);

}  // namespace
}  // namespace cadre

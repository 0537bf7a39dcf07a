// store/open_store_test.cc — OpenStore picks a backend from a URI.
#include <memory>
#include <string>

#include "cadre/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

TEST(OpenStoreTest, PicksTheBackendFromTheScheme) {
  absl::StatusOr<std::unique_ptr<Store>> memory = OpenStore("memory:");
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_EQ((*memory)->backend(), "memory");

  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Store>> sqlite = OpenStore("sqlite:" + dir.File("a.db"));
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  EXPECT_EQ((*sqlite)->backend(), "sqlite");
}

TEST(OpenStoreTest, RefusesWhatItDoesNotKnow) {
  for (const char* uri : {"", "memory", "memory:x", "sqlite:", "postgres://x", "SQLITE:/tmp/x.db", "/tmp/x.db"}) {
    absl::StatusOr<std::unique_ptr<Store>> s = OpenStore(uri);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << uri;
    EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr(uri)) << uri;
  }
}

}  // namespace
}  // namespace cadre

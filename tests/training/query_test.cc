// The "training" query through the query layer, per viewer: an admin sees
// everyone and every unit, a lead the managers and units they lead, a plain
// manager their own row; out-of-scope managers and units are refused as the
// other queries refuse them. On memory and sqlite.
//
// As of 2025-06-15 (the engine's clock): requirements am-pk, am-safe (role am)
// and lead-pk (role lead). L1 passed PK, M1 PK and SAFE (06-01, valid through
// 06-30), M3 PK: L1 1/1, M1 2/2, M2 0/2, M3 1/2; T1 3/3, T2 1/4, CO 4/7.
#include <string>
#include <vector>

#include "boost/json/parse.hpp"
#include "cadre/query.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "training/training_test_util.h"

namespace cadre {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using training_testing::Complete;

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

std::vector<std::string> Ids(const boost::json::value& result, std::string_view rows, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* a = result.as_object().if_contains(rows);
  if (a == nullptr) return out;
  for (const auto& r : a->as_array()) out.emplace_back(r.at(key).as_string());
  return out;
}

class TrainingQueryTest : public training_testing::TrainingTest {
 protected:
  void SetUp() override {
    TrainingTest::SetUp();
    Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
    Put("training_requirements", "am-safe", R"({"role":"am","course":"SAFE","within_days":30})");
    Put("training_requirements", "lead-pk", R"({"role":"lead","course":"PK","within_days":30})");
    Ingest({Complete("P-L1", "2025-03-01", "L1", "PK"), Complete("P-M1", "2025-03-01", "M1", "PK"),
            Complete("S-M1", "2025-06-01", "M1", "SAFE"), Complete("P-M3", "2025-03-01", "M3", "PK")});
    engine_ = std::make_unique<QueryEngine>(*ws_, [] { return testing::T("2025-06-15T12:00:00+08:00"); });
  }

  absl::StatusOr<boost::json::value> Run(const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<std::string> text =
        engine_->Run(R"({"query":"training","viewer":)" + viewer + (params.empty() ? "" : "," + params) + "}");
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  }
  boost::json::value MustRun(const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<boost::json::value> r = Run(viewer, params);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : boost::json::value(boost::json::object());
  }

  static std::string Admin() { return R"({"admin":true})"; }
  static std::string As(const std::string& m) { return R"({"manager":")" + m + R"("})"; }

  std::unique_ptr<QueryEngine> engine_;
};
INSTANTIATE_TEST_SUITE_P(Backends, TrainingQueryTest, ::testing::Values("memory", "sqlite"),
                         training_testing::BackendName);

TEST_P(TrainingQueryTest, AdminSeesEveryManagerAndUnit) {
  boost::json::value r = MustRun(Admin());
  EXPECT_EQ(r.at("as_of").as_string(), "2025-06-15");  // today in Shanghai by the engine's clock
  EXPECT_EQ(r.at("expiring_within_days").as_int64(), 30);
  EXPECT_THAT(Ids(r, "managers", "manager"), ElementsAre("L1", "M1", "M2", "M3"));
  EXPECT_THAT(Ids(r, "units", "unit"), ElementsAre("CO", "T1", "T2"));
  const boost::json::object& co = r.at("units").as_array()[0].as_object();
  EXPECT_EQ(co.at("met").as_int64(), 4);
  EXPECT_EQ(co.at("required").as_int64(), 7);
  EXPECT_EQ(co.at("ratio").as_string(), "0.571428571");
  EXPECT_EQ(co.at("managers_compliant").as_int64(), 2);
  EXPECT_EQ(co.at("hours").as_string(), "20");
  const boost::json::object& m1 = r.at("managers").as_array()[1].as_object();
  EXPECT_EQ(m1.at("certifications").as_array()[0].at("status").as_string(), "expiring");  // 06-30 <= 07-15
  EXPECT_EQ(m1.at("requirements").as_array()[1].at("status").as_string(), "met");

  // As of another day, with another horizon.
  r = MustRun(Admin(), R"("as_of":"2025-07-01","expiring_within_days":0,"manager":"M1")");
  EXPECT_THAT(Ids(r, "managers", "manager"), ElementsAre("M1"));
  EXPECT_FALSE(r.as_object().contains("units"));
  const boost::json::object& m1_july = r.at("managers").as_array()[0].as_object();
  EXPECT_EQ(m1_july.at("certifications").as_array()[0].at("status").as_string(), "expired");
  EXPECT_EQ(m1_july.at("requirements").as_array()[1].at("status").as_string(), "lapsed");
}

TEST_P(TrainingQueryTest, LeadSeesTheirUnitsAndPlainManagerThemselves) {
  boost::json::value lead = MustRun(As("L1"));
  EXPECT_THAT(Ids(lead, "managers", "manager"), ElementsAre("L1", "M1"));
  EXPECT_THAT(Ids(lead, "units", "unit"), ElementsAre("T1"));
  boost::json::value team = MustRun(As("L1"), R"("unit":"T1")");
  EXPECT_THAT(Ids(team, "managers", "manager"), ElementsAre("L1", "M1"));
  EXPECT_THAT(Ids(team, "units", "unit"), ElementsAre("T1"));
  EXPECT_THAT(Ids(MustRun(As("L1"), R"("manager":"M1")"), "managers", "manager"), ElementsAre("M1"));

  boost::json::value self = MustRun(As("M2"));
  EXPECT_THAT(Ids(self, "managers", "manager"), ElementsAre("M2"));
  EXPECT_THAT(Ids(self, "units", "unit"), IsEmpty());
  EXPECT_THAT(Ids(MustRun(As("M2"), R"("manager":"M2")"), "managers", "manager"), ElementsAre("M2"));
}

TEST_P(TrainingQueryTest, OutOfScopeIsRefusedAsElsewhere) {
  absl::Status s = Run(As("M2"), R"("manager":"M1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(manager "M1" is not in the org tree)");
  // Worded exactly as a manager that does not exist.
  absl::Status missing = Run(Admin(), R"("manager":"NOPE")").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), R"(manager "NOPE" is not in the org tree)");

  s = Run(As("M2"), R"("unit":"T1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), R"(training: manager "M2" does not lead unit "T1" or a unit above it)");
  s = Run(As("L1"), R"("unit":"CO")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);

  s = Run(Admin(), R"("unit":"NOPE")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(request.unit: no such org unit, got "NOPE")");
}

TEST_P(TrainingQueryTest, BadParametersNameTheirPath) {
  absl::Status s = Run(Admin(), R"("manager":"M1","unit":"T1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "request.unit: give manager or unit, not both");
  s = Run(Admin(), R"("expiring_within_days":3651)").status();
  EXPECT_EQ(s.message(), "request.expiring_within_days: must be between 0 and 3650, got 3651");
  s = Run(Admin(), R"("as_of":"2025-06-31")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PathOf(s), "request.as_of");
  s = Run(Admin(), R"("managers":["M1"])").status();
  EXPECT_EQ(PathOf(s), "request.managers");
}

}  // namespace
}  // namespace cadre

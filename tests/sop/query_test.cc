// The SOP queries through the query layer, per viewer, on memory and sqlite:
// sop_instances, sop_instance, today and sop_escalate. An admin sees every
// instance, a lead those of the managers in the units they lead, a manager their
// own; out of scope reads as the other queries read it.
#include <string>
#include <vector>

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "cadre/query.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sop/sop_test_util.h"

namespace cadre {
namespace {

using sop_testing::Assign;
using sop_testing::Complaint;
using sop_testing::Contact;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Column(const boost::json::value& result, std::string_view rows, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& r : result.at(rows).as_array()) out.emplace_back(r.at(key).as_string());
  return out;
}

class SopQueryTest : public sop_testing::SopTest {
 protected:
  void SetUp() override {
    SopTest::SetUp();
    // Complaint C1 (M1) opened Thu 04-30 16:00, respond due Mon 05-04 16:00;
    // K1's onboarding (M1) completed in April; onboarding of K2 (M2) and K3 (M3)
    // from Mon 05-04 08:00.
    Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1"), Assign("A0", "2026-04-01 10:00", "K1", "M1"),
            Contact("I1", "2026-04-02 10:00", "K1", Channel::kCall),
            Contact("I2", "2026-04-03 10:00", "K1", Channel::kVisit), Assign("A1", "2026-05-04 08:00", "K2", "M2"),
            Assign("A3", "2026-05-04 08:00", "K3", "M3")});
    query_ = std::make_unique<QueryEngine>(*ws_, [] { return sop_testing::Sh("2026-05-04 16:30"); });
  }

  absl::StatusOr<boost::json::value> Run(const std::string& query, const std::string& viewer,
                                         const std::string& params = "") {
    absl::StatusOr<std::string> text =
        query_->Run(R"({"query":")" + query + R"(","viewer":)" + viewer + (params.empty() ? "" : "," + params) + "}");
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  }
  boost::json::value MustRun(const std::string& query, const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<boost::json::value> r = Run(query, viewer, params);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : boost::json::value(boost::json::object());
  }

  std::unique_ptr<QueryEngine> query_;
};

constexpr char kAdmin[] = R"({"admin":true})";
constexpr char kLead[] = R"({"manager":"L1"})";
constexpr char kM2[] = R"({"manager":"M2"})";
constexpr char kM3[] = R"({"manager":"M3"})";

TEST_P(SopQueryTest, InstancesPerViewer) {
  EXPECT_THAT(Column(MustRun("sop_instances", kAdmin), "instances", "id"),
              ElementsAre("onboarding/A0", "complaint/C1", "onboarding/A1", "onboarding/A3"));
  EXPECT_THAT(Column(MustRun("sop_instances", kLead), "instances", "id"),
              ElementsAre("onboarding/A0", "complaint/C1", "onboarding/A1"));
  EXPECT_THAT(Column(MustRun("sop_instances", kM2), "instances", "id"), ElementsAre("onboarding/A1"));
  EXPECT_THAT(Column(MustRun("sop_instances", kLead, R"("manager":"M1","sop":"complaint")"), "instances", "id"),
              ElementsAre("complaint/C1"));
  EXPECT_THAT(Column(MustRun("sop_instances", kAdmin, R"("customer":"K1","open_only":true)"), "instances", "id"),
              ElementsAre("complaint/C1"));
  // Before the assignments of 05-04 08:00 only the older instances existed.
  EXPECT_THAT(Column(MustRun("sop_instances", kAdmin, R"("now":"2026-05-01T00:00:00+08:00")"), "instances", "id"),
              ElementsAre("onboarding/A0", "complaint/C1"));

  // Out of scope: worded as the other queries word it.
  absl::StatusOr<boost::json::value> other = Run("sop_instances", kM2, R"("manager":"M1")");
  absl::StatusOr<boost::json::value> holdings = Run("holdings", kM2, R"("manager":"M1")");
  ASSERT_FALSE(other.ok());
  ASSERT_FALSE(holdings.ok());
  EXPECT_EQ(other.status(), holdings.status());
  absl::StatusOr<boost::json::value> customer = Run("sop_instances", kM2, R"("customer":"K1")");
  absl::StatusOr<boost::json::value> ownership = Run("ownership", kM2, R"("customer":"K1")");
  ASSERT_FALSE(customer.ok());
  EXPECT_EQ(customer.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(customer.status().message(), ownership.status().message());
}

TEST_P(SopQueryTest, OneInstanceWithHistory) {
  boost::json::value c1 = MustRun("sop_instance", kLead, R"("id":"complaint/C1")");
  EXPECT_EQ(c1.at("manager").as_string(), "M1");
  EXPECT_EQ(c1.at("steps").at(0).at("status").as_string(), "breached");
  EXPECT_EQ(c1.at("steps").at(0).at("due_at").as_string(), "2026-05-04T08:00:00Z");
  EXPECT_EQ(c1.at("history").at(0).at("what").as_string(), "triggered");
  // Out of scope reads exactly as an id that does not exist.
  absl::StatusOr<boost::json::value> hidden = Run("sop_instance", kM3, R"("id":"complaint/C1")");
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), R"(request.id: no such SOP instance, got "complaint/C1")");
  absl::StatusOr<boost::json::value> missing = Run("sop_instance", kAdmin, R"("id":"complaint/C9")");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), R"(request.id: no such SOP instance, got "complaint/C9")");
}

TEST_P(SopQueryTest, TodayPerViewer) {
  boost::json::value mine = MustRun("today", R"({"manager":"M1"})");
  EXPECT_EQ(mine.at("manager").as_string(), "M1");
  EXPECT_EQ(mine.at("day").as_string(), "2026-05-04");
  EXPECT_THAT(Column(mine, "items", "ref"), ElementsAre("complaint/C1#respond"));
  EXPECT_EQ(mine.at("items").at(0).at("urgency").as_string(), "breached");
  EXPECT_EQ(mine.at("items").at(0).at("kind").as_string(), "sop_step");
  // The lead may ask for their team member; a manager of another team may not.
  EXPECT_THAT(Column(MustRun("today", kLead, R"("manager":"M1")"), "items", "ref"),
              ElementsAre("complaint/C1#respond"));
  absl::StatusOr<boost::json::value> other = Run("today", kM3, R"("manager":"M1")");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<boost::json::value> admin = Run("today", kAdmin);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().message(),
            "request.manager: required field is missing (an admin names the manager whose day it is)");
  absl::StatusOr<boost::json::value> bad = Run("today", kM2, R"("expiring_within_days":-1)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "request.expiring_within_days: must be between 0 and 3650, got -1");
}

TEST_P(SopQueryTest, EscalateIsAdminOnlyAndRecordsOnce) {
  absl::StatusOr<boost::json::value> denied = Run("sop_escalate", kLead);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().message(),
            "sop_escalate: only an admin viewer may ask this (it plans escalations for every manager); the viewer "
            "is manager \"L1\"");
  boost::json::value first = MustRun("sop_escalate", kAdmin);
  SCOPED_TRACE(boost::json::serialize(first));
  EXPECT_THAT(Column(first, "events", "id"), ElementsAre("sop-escalation:complaint/C1/respond/0"));
  EXPECT_EQ(first.at("events").at(0).at("manager").as_string(), "L1");
  EXPECT_THAT(first.at("events").as_array(), ::testing::SizeIs(1));
  // A plan: nothing is written until the host ingests it; ingested twice, recorded once.
  EXPECT_EQ(MustRun("sop_escalate", kAdmin), first);
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<IngestReport> ingested =
        ws_->IngestNdjson(absl::StrCat(boost::json::serialize(first.at("events").at(0)), "\n"), IngestMode::kAtomic);
    ASSERT_TRUE(ingested.ok()) << ingested.status();
    EXPECT_EQ(ingested->accepted, round == 0 ? 1u : 0u);
    EXPECT_EQ(ingested->duplicates, round == 0 ? 0u : 1u);
  }
  boost::json::value again = MustRun("sop_escalate", kAdmin);
  EXPECT_THAT(again.at("events").as_array(), IsEmpty());
  // The lead now has the escalated step on their list.
  EXPECT_THAT(Column(MustRun("today", kLead), "items", "ref"), ElementsAre("complaint/C1#respond"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SopQueryTest, ::testing::Values("memory", "sqlite"), sop_testing::BackendName);

}  // namespace
}  // namespace cadre

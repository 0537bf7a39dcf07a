// The training report against hand-computed figures, on memory and sqlite:
// passing with and without a pass mark, module by module, hours counted once,
// certifications on their boundary days and renewed, requirements met, pending,
// overdue and lapsed, reversals, unknown courses reported, and unit roll-ups.
// The org and courses are in training_test_util.h.
#include <optional>
#include <string>
#include <vector>

#include "cadre/training.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "training/training_test_util.h"

namespace cadre {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using training_testing::Complete;
using training_testing::D;
using training_testing::Day;
using training_testing::Enrol;
using training_testing::Reverse;

class ReportTest : public training_testing::TrainingTest {};
INSTANTIATE_TEST_SUITE_P(Backends, ReportTest, ::testing::Values("memory", "sqlite"), training_testing::BackendName);

TEST_P(ReportTest, PassMarkDecidesAndNoPassMarkMeansCompleting) {
  Ingest({Complete("C1", "2025-06-02", "M1", "CMP", std::nullopt, "79"),  // below 80: fails
          Complete("C2", "2025-06-03", "M1", "CMP"),                      // no score on a marked course: fails
          Complete("C3", "2025-06-04", "M1", "CMP", std::nullopt, "80"),  // exactly the mark: passes
          Complete("C4", "2025-06-05", "M1", "PK")});                     // no pass mark: completing passes

  ManagerTraining early = Row("M1", Day(2025, 6, 3));
  EXPECT_THAT(early.attempts,
              ElementsAre(TrainingAttempt{"C1", "CMP", std::nullopt, Day(2025, 6, 2), D("79"), false},
                          TrainingAttempt{"C2", "CMP", std::nullopt, Day(2025, 6, 3), std::nullopt, false}));
  EXPECT_THAT(early.passed, IsEmpty());
  EXPECT_THAT(early.certifications, IsEmpty());
  EXPECT_EQ(early.hours, D("2"));  // a failed whole-course completion still completed X and Y

  ManagerTraining m1 = Row("M1", Day(2025, 6, 10));
  ASSERT_EQ(m1.attempts.size(), 4u);
  EXPECT_TRUE(m1.attempts[2].passed);
  EXPECT_TRUE(m1.attempts[3].passed);
  EXPECT_THAT(m1.passed, ElementsAre(PassedCourse{"CMP", Day(2025, 6, 4), Day(2025, 6, 4), 1},
                                     PassedCourse{"PK", Day(2025, 6, 5), Day(2025, 6, 5), 1}));
  EXPECT_EQ(m1.hours, D("8.5"));  // CMP 1 + 1, PK 2 + 3 + 1.5
  // 2025-06-04 + 365 - 1 = 2026-06-03; 358 days after 2025-06-10.
  EXPECT_THAT(m1.certifications,
              ElementsAre(Certification{"CMP", Day(2025, 6, 4), Day(2026, 6, 3), 358, CertificationStatus::kValid}));
}

TEST_P(ReportTest, ModuleByModuleCompletionPassesOnTheLastModuleAndCountsHoursOnce) {
  Ingest({Complete("A1", "2025-06-01", "M1", "PK", "A"), Complete("B1", "2025-06-02", "M1", "PK", "B"),
          Complete("A2", "2025-06-03", "M1", "PK", "A"),  // again: no more hours
          Complete("C1", "2025-06-04", "M1", "PK", "C"),  // the last module: PK is passed
          Complete("W1", "2025-06-05", "M1", "PK"),       // the whole course again: a second pass, no hours
          Complete("X1", "2025-06-01", "M2", "CMP", "X", "90"), Complete("Y1", "2025-06-02", "M2", "CMP", "Y", "70"),
          Complete("Y2", "2025-06-03", "M2", "CMP", "Y", "85")});

  ManagerTraining before = Row("M1", Day(2025, 6, 3));
  EXPECT_THAT(before.passed, IsEmpty());
  EXPECT_EQ(before.hours, D("5"));  // A 2 + B 3, A once

  ManagerTraining m1 = Row("M1", Day(2025, 6, 4));
  EXPECT_THAT(m1.passed, ElementsAre(PassedCourse{"PK", Day(2025, 6, 4), Day(2025, 6, 4), 1}));
  EXPECT_EQ(m1.hours, D("6.5"));
  EXPECT_THAT(m1.certifications, IsEmpty());  // PK does not certify

  m1 = Row("M1", Day(2025, 6, 5));
  EXPECT_THAT(m1.passed, ElementsAre(PassedCourse{"PK", Day(2025, 6, 4), Day(2025, 6, 5), 2}));
  EXPECT_EQ(m1.hours, D("6.5"));
  EXPECT_EQ(m1.attempts.size(), 5u);

  // With a pass mark each module must reach it: Y failed at 70, passed at 85.
  ManagerTraining m2 = Row("M2", Day(2025, 6, 30));
  std::vector<bool> passed;
  for (const TrainingAttempt& a : m2.attempts) passed.push_back(a.passed);
  EXPECT_THAT(passed, ElementsAre(true, false, true));
  EXPECT_THAT(m2.passed, ElementsAre(PassedCourse{"CMP", Day(2025, 6, 3), Day(2025, 6, 3), 1}));
  EXPECT_EQ(m2.hours, D("2"));  // Y's hours on its first (failed) completion, once

  // Hours from a day: modules first completed on or after it. A (first on 06-01)
  // and B are out even though A was completed again on 06-03; C's 1.5 is in.
  TrainingRequest from_june_3;
  from_june_3.hours_from = Day(2025, 6, 3);
  EXPECT_EQ(Row("M1", Day(2025, 6, 30), from_june_3).hours, D("1.5"));
}

TEST_P(ReportTest, CertificationIsValidThroughItsLastDayAndExpiredTheDayAfter) {
  // SAFE certifies for 30 days: passed on 06-01, valid 06-01 .. 06-30, expired on 07-01.
  Ingest({Complete("S1", "2025-06-01", "M1", "SAFE")});
  TrainingRequest no_horizon;
  no_horizon.expiring_within_days = 0;
  EXPECT_THAT(Row("M1", Day(2025, 6, 29), no_horizon).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 6, 1), Day(2025, 6, 30), 1, CertificationStatus::kValid}));
  EXPECT_THAT(Row("M1", Day(2025, 6, 30), no_horizon).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 6, 1), Day(2025, 6, 30), 0, CertificationStatus::kExpiring}));
  EXPECT_THAT(Row("M1", Day(2025, 7, 1), no_horizon).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 6, 1), Day(2025, 6, 30), -1, CertificationStatus::kExpired}));

  // Expiring: the last valid day is within H days of the day (06-01 + 29 = 06-30).
  TrainingRequest h;
  h.expiring_within_days = 28;
  EXPECT_EQ(Row("M1", Day(2025, 6, 1), h).certifications.at(0).status, CertificationStatus::kValid);
  h.expiring_within_days = 29;
  EXPECT_EQ(Row("M1", Day(2025, 6, 1), h).certifications.at(0).status, CertificationStatus::kExpiring);

  // The day is read in the workspace zone: 00:30 on 07-01 in Shanghai is 06-30 in UTC.
  Ingest({Complete("S2", "2025-07-01T00:30:00+08:00", "M3", "SAFE")});
  EXPECT_THAT(Row("M3", Day(2025, 6, 30)).certifications, IsEmpty());
  EXPECT_THAT(Row("M3", Day(2025, 7, 1), no_horizon).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 7, 1), Day(2025, 7, 30), 29, CertificationStatus::kValid}));
}

TEST_P(ReportTest, RenewalCertifiesFromTheNewPass) {
  Ingest({Complete("S1", "2025-06-01", "M1", "SAFE"), Complete("S2", "2025-06-20", "M1", "SAFE"),    // before expiry
          Complete("S3", "2025-06-01", "M2", "SAFE"), Complete("S4", "2025-07-10", "M2", "SAFE")});  // after it
  TrainingRequest h10;
  h10.expiring_within_days = 10;
  ManagerTraining m1 = Row("M1", Day(2025, 7, 1), h10);
  EXPECT_THAT(m1.certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 6, 20), Day(2025, 7, 19), 18, CertificationStatus::kValid}));
  EXPECT_THAT(m1.passed, ElementsAre(PassedCourse{"SAFE", Day(2025, 6, 1), Day(2025, 6, 20), 2}));
  EXPECT_EQ(m1.hours, D("0.5"));  // the module counts once

  EXPECT_THAT(Row("M2", Day(2025, 7, 5), h10).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 6, 1), Day(2025, 6, 30), -5, CertificationStatus::kExpired}));
  EXPECT_THAT(Row("M2", Day(2025, 7, 10), h10).certifications,
              ElementsAre(Certification{"SAFE", Day(2025, 7, 10), Day(2025, 8, 8), 29, CertificationStatus::kValid}));
}

TEST_P(ReportTest, NewHireMissesARoleRequirement) {
  Put("managers", "M4", R"({"name":"M4","team":"T2","role":"am","hired_on":"2025-06-01"})");
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Ingest({Enrol("E1", "2025-06-01", "M4", "PK", Day(2025, 6, 20))});

  // Due on 2025-06-01 + 30 = 07-01: pending through that day, overdue from 07-02.
  const RequirementState pending{"am-pk",      "PK",        Day(2025, 7, 1), false, RequirementStatus::kPending,
                                 std::nullopt, std::nullopt};
  ManagerTraining m4 = Row("M4", Day(2025, 7, 1));
  EXPECT_THAT(m4.requirements, ElementsAre(pending));
  EXPECT_EQ(m4.met, 0);
  EXPECT_EQ(m4.required, 1);
  EXPECT_FALSE(m4.compliant);
  RequirementState overdue = pending;
  overdue.status = RequirementStatus::kOverdue;
  EXPECT_THAT(Row("M4", Day(2025, 7, 2)).requirements, ElementsAre(overdue));
  // The enrolment's own due day (06-20) passed first.
  EXPECT_THAT(Row("M4", Day(2025, 6, 21)).enrolments,
              ElementsAre(TrainingEnrolment{"E1", "PK", Day(2025, 6, 1), Day(2025, 6, 20), EnrolmentStatus::kOverdue,
                                            std::nullopt}));
  EXPECT_EQ(Row("M4", Day(2025, 6, 20)).enrolments.at(0).status, EnrolmentStatus::kOpen);

  // Passed late: met from that day.
  Ingest({Complete("P1", "2025-07-05", "M4", "PK")});
  RequirementState met = pending;
  met.status = RequirementStatus::kMet;
  met.passed_on = Day(2025, 7, 5);
  m4 = Row("M4", Day(2025, 7, 5));
  EXPECT_THAT(m4.requirements, ElementsAre(met));
  EXPECT_TRUE(m4.compliant);
  EXPECT_THAT(m4.enrolments, ElementsAre(TrainingEnrolment{"E1", "PK", Day(2025, 6, 1), Day(2025, 6, 20),
                                                           EnrolmentStatus::kPassed, Day(2025, 7, 5)}));

  // Before the hire day M4 holds no requirement and is in no full report.
  ManagerTraining before = Row("M4", Day(2025, 5, 31));
  EXPECT_FALSE(before.employed);
  EXPECT_THAT(before.requirements, IsEmpty());
  std::vector<std::string> listed;
  for (const ManagerTraining& m : Report(Day(2025, 5, 31)).managers) listed.push_back(m.manager);
  EXPECT_THAT(listed, ElementsAre("L1", "M1", "M2", "M3"));
}

TEST_P(ReportTest, AnExpiredCertificationLapsesARenewingRequirement) {
  Put("training_requirements", "am-safe", R"({"role":"am","course":"SAFE","within_days":10})");
  Put("training_requirements", "am-safe-once", R"({"role":"am","course":"SAFE","within_days":10,"renew":false})");
  Ingest({Complete("S1", "2025-06-01", "M1", "SAFE")});

  // M1 was hired on 2025-01-01: both due on 01-11. SAFE's certification: 06-01 .. 06-30.
  ManagerTraining june30 = Row("M1", Day(2025, 6, 30));
  EXPECT_THAT(june30.requirements,
              ElementsAre(RequirementState{"am-safe", "SAFE", Day(2025, 1, 11), true, RequirementStatus::kMet,
                                           Day(2025, 6, 1), Day(2025, 6, 30)},
                          RequirementState{"am-safe-once", "SAFE", Day(2025, 1, 11), false, RequirementStatus::kMet,
                                           Day(2025, 6, 1), std::nullopt}));
  ManagerTraining july1 = Row("M1", Day(2025, 7, 1));
  EXPECT_THAT(july1.requirements,
              ElementsAre(RequirementState{"am-safe", "SAFE", Day(2025, 1, 11), true, RequirementStatus::kLapsed,
                                           Day(2025, 6, 1), Day(2025, 6, 30)},
                          RequirementState{"am-safe-once", "SAFE", Day(2025, 1, 11), false, RequirementStatus::kMet,
                                           Day(2025, 6, 1), std::nullopt}));
  EXPECT_EQ(july1.met, 1);
  EXPECT_EQ(july1.required, 2);

  // A new hire whose certification expired before they joined: pending while
  // the hire window is open, lapsed after it.
  Put("managers", "M4", R"({"name":"M4","team":"T2","role":"am","hired_on":"2025-06-25"})");
  Ingest({Complete("S2", "2025-05-01", "M4", "SAFE")});                                          // valid 05-01 .. 05-30
  EXPECT_EQ(Row("M4", Day(2025, 7, 5)).requirements.at(0).status, RequirementStatus::kPending);  // due 07-05
  EXPECT_EQ(Row("M4", Day(2025, 7, 6)).requirements.at(0).status, RequirementStatus::kLapsed);
}

TEST_P(ReportTest, ReversedTrainingEventsCountForNoDay) {
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Ingest({Enrol("E1", "2025-06-01", "M3", "PK"), Complete("P1", "2025-06-10", "M3", "PK")});
  ASSERT_EQ(Row("M3", Day(2025, 6, 11)).requirements.at(0).status, RequirementStatus::kMet);
  Ingest({Reverse("R1", "2025-06-12", "P1"), Reverse("R2", "2025-06-12", "E1")});

  // Also on a day before the reversal happened: the log is corrected, not amended.
  ManagerTraining m3 = Row("M3", Day(2025, 6, 11));
  EXPECT_THAT(m3.attempts, IsEmpty());
  EXPECT_THAT(m3.enrolments, IsEmpty());
  EXPECT_THAT(m3.passed, IsEmpty());
  EXPECT_EQ(m3.hours, D("0"));
  EXPECT_EQ(m3.requirements.at(0).status, RequirementStatus::kOverdue);  // due 01-31

  // A host feeding the projection itself may deliver the reversal first.
  TrainingProjection fed;
  fed.Apply(StoredEvent{1, Reverse("R9", "2025-06-12", "P9")});
  fed.Apply(StoredEvent{2, Complete("P9", "2025-06-10", "M3", "PK")});
  EXPECT_THAT(fed.Records("M3"), IsEmpty());
  EXPECT_EQ(fed.high_water_mark(), 2u);
}

TEST_P(ReportTest, UnknownCoursesAndModulesAreReportedNotDropped) {
  Put("training_requirements", "am-ghost", R"({"role":"am","course":"GHOST","within_days":30})");
  Ingest({Enrol("E-GONE", "2025-06-01", "M2", "GONE"), Complete("C-NOPE", "2025-06-02", "M2", "NOPE"),
          Complete("C-Z", "2025-06-03", "M2", "PK", "Z")});
  TrainingReport report = Report(Day(2025, 6, 10));
  const std::string no_course = "no course with this id is in force on 2025-06-10";
  EXPECT_THAT(report.issues,
              ElementsAre(TrainingIssue{std::nullopt, "am-ghost", std::nullopt, "GHOST", std::nullopt, no_course},
                          TrainingIssue{"C-NOPE", std::nullopt, "M2", "NOPE", std::nullopt, no_course},
                          TrainingIssue{"C-Z", std::nullopt, "M2", "PK", "Z",
                                        R"(course "PK" has no module with this id on 2025-06-10)"},
                          TrainingIssue{"E-GONE", std::nullopt, "M2", "GONE", std::nullopt, no_course}));
  const ManagerTraining& m2 = report.managers.at(2);
  ASSERT_EQ(m2.manager, "M2");
  EXPECT_THAT(m2.attempts, IsEmpty());  // neither completion could count
  EXPECT_EQ(m2.hours, D("0"));
  ASSERT_EQ(m2.enrolments.size(), 1u);                                   // the enrolment is listed, and reported
  EXPECT_EQ(m2.requirements.at(0).status, RequirementStatus::kOverdue);  // a course that does not exist
}

// T1: L1 1 of 1, M1 2 of 2. T2: M2 0 of 2, M3 1 of 2. CO: 4 of 7 = 0.571428571,
// where the average of the teams' ratios (1 and 0.25) and that of the managers'
// (1, 1, 0, 0.5) would both say 0.625.
TEST_P(ReportTest, UnitRollUpsRecomputeTheRatioFromSums) {
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Put("training_requirements", "am-safe", R"({"role":"am","course":"SAFE","within_days":30})");
  Put("training_requirements", "lead-pk", R"({"role":"lead","course":"PK","within_days":30})");
  Ingest({Complete("P-L1", "2025-03-01", "L1", "PK"), Complete("P-M1", "2025-03-01", "M1", "PK"),
          Complete("S-M1", "2025-06-01", "M1", "SAFE"), Complete("P-M3", "2025-03-01", "M3", "PK")});

  TrainingReport report = Report(Day(2025, 6, 15));
  ASSERT_EQ(report.managers.size(), 4u);
  std::vector<std::pair<int64_t, int64_t>> met_required;
  for (const ManagerTraining& m : report.managers) met_required.emplace_back(m.met, m.required);
  EXPECT_THAT(met_required, ElementsAre(std::pair{1, 1}, std::pair{2, 2}, std::pair{0, 2}, std::pair{1, 2}));
  EXPECT_THAT(report.units, ElementsAre(UnitTraining{"CO", 4, 2, 4, 7, D("0.571428571"), D("20")},
                                        UnitTraining{"T1", 2, 2, 3, 3, D("1"), D("13.5")},
                                        UnitTraining{"T2", 2, 0, 1, 4, D("0.25"), D("6.5")}));

  // A unit's report: its managers and the roll-ups of its subtree.
  TrainingRequest t2;
  t2.unit = "T2";
  TrainingReport team = Report(Day(2025, 6, 15), t2);
  ASSERT_EQ(team.managers.size(), 2u);
  EXPECT_EQ(team.managers[0].manager, "M2");
  EXPECT_THAT(team.units, ElementsAre(UnitTraining{"T2", 2, 0, 1, 4, D("0.25"), D("6.5")}));

  // No requirement anywhere: no ratio.
  TrainingReport before = Report(Day(2024, 12, 31));  // nobody hired yet
  EXPECT_THAT(before.managers, IsEmpty());
  EXPECT_EQ(before.units.at(0), (UnitTraining{"CO", 0, 0, 0, 0, std::nullopt, D("0")}));
}

TEST_P(ReportTest, ComplianceAndExpiringCertificationsForOtherModules) {
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Put("training_requirements", "am-safe", R"({"role":"am","course":"SAFE","within_days":30})");
  Put("training_requirements", "lead-pk", R"({"role":"lead","course":"PK","within_days":30})");
  Ingest({Complete("P-L1", "2025-03-01", "L1", "PK"), Complete("P-M1", "2025-03-01", "M1", "PK"),
          Complete("S-M1", "2025-06-01", "M1", "SAFE"), Complete("S-M3", "2025-06-10", "M3", "SAFE")});
  ASSERT_TRUE(training_.CatchUp(*ws_).ok());
  const absl::CivilDay day = Day(2025, 6, 15);
  absl::StatusOr<TrainingConfig> config = TrainingConfig::Load(*ws_, day);
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_, EndOfDay(day, ws_->time_zone()));
  ASSERT_TRUE(tree.ok()) << tree.status();

  absl::StatusOr<std::vector<TrainingCompliance>> compliance =
      TrainingComplianceAsOf(training_, *config, *tree, day, ws_->time_zone());
  ASSERT_TRUE(compliance.ok()) << compliance.status();
  EXPECT_THAT(*compliance, ElementsAre(TrainingCompliance{"L1", 1, 1}, TrainingCompliance{"M1", 2, 2},
                                       TrainingCompliance{"M2", 0, 2}, TrainingCompliance{"M3", 1, 2}));
  compliance = TrainingComplianceAsOf(training_, *config, *tree, day, ws_->time_zone(), {"M3"});
  ASSERT_TRUE(compliance.ok());
  EXPECT_THAT(*compliance, ElementsAre(TrainingCompliance{"M3", 1, 2}));

  // M1's SAFE: 06-01 .. 06-30, 15 days left on 06-15; M3's: 06-10 .. 07-09, 24 left.
  absl::StatusOr<std::vector<ExpiringCertification>> expiring =
      ExpiringCertifications(training_, *config, *tree, day, 24, ws_->time_zone());
  ASSERT_TRUE(expiring.ok()) << expiring.status();
  EXPECT_THAT(*expiring, ElementsAre(ExpiringCertification{"M1", "SAFE", Day(2025, 6, 1), Day(2025, 6, 30), 15},
                                     ExpiringCertification{"M3", "SAFE", Day(2025, 6, 10), Day(2025, 7, 9), 24}));
  expiring = ExpiringCertifications(training_, *config, *tree, day, 14, ws_->time_zone());
  ASSERT_TRUE(expiring.ok());
  EXPECT_THAT(*expiring, IsEmpty());

  EXPECT_EQ(ExpiringCertifications(training_, *config, *tree, day, -1, ws_->time_zone()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TrainingComplianceAsOf(training_, *config, *tree, day, ws_->time_zone(), {"NOPE"}).status().message(),
            R"(manager "NOPE" is not in the org tree)");
}

}  // namespace
}  // namespace cadre

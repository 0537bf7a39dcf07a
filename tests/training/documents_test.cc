// The training documents: courses and training requirements, their wire form
// and every refusal with its path, rule and value.
#include <string>

#include "cadre/json.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

constexpr char kCourse[] =
    R"({"id":"CMP","name":"Compliance","topic":"compliance","modules":[{"id":"X","name":"Privacy","hours":"1.5"}],)"
    R"("pass_mark":"80","certification":{"valid_days":365}})";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

absl::Status ParseCourse(const std::string& text) { return json::FromText<Course>(text, "courses[0]").status(); }
absl::Status ParseRequirement(const std::string& text) {
  return json::FromText<TrainingRequirement>(text, "training_requirements[0]").status();
}

TEST(CourseTest, ValidCourseReadsAndWritesBack) {
  absl::StatusOr<Course> c = json::FromText<Course>(kCourse);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->topic, CourseTopic::kCompliance);
  ASSERT_EQ(c->modules.size(), 1u);
  EXPECT_EQ(c->modules[0].hours.ToString(), "1.5");
  EXPECT_EQ(c->pass_mark->ToString(), "80");
  EXPECT_EQ(c->certification->valid_days, 365);
  EXPECT_EQ(json::ToText(*c), kCourse);
  ASSERT_NE(c->FindModule("X"), nullptr);
  EXPECT_EQ(c->FindModule("Z"), nullptr);

  // The minimal course: no pass mark (completing suffices), no certification.
  absl::StatusOr<Course> plain = json::FromText<Course>(
      R"({"id":"PK","name":"Products","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":2}]})");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->pass_mark.has_value());
  EXPECT_FALSE(plain->certification.has_value());
}

TEST(CourseTest, RefusalsNamePathRuleAndValue) {
  const std::string head = R"({"id":"CMP","name":"Compliance","topic":"compliance",)";
  const std::string one_module = R"("modules":[{"id":"X","name":"Privacy","hours":1}])";
  EXPECT_EQ(Message(ParseCourse(head + R"("modules":[]})")),
            "courses[0].modules: must list at least one module, got []");
  EXPECT_EQ(Message(ParseCourse(R"({"id":"CMP","name":"Compliance","topic":"compliance"})")),
            "courses[0].modules: required field is missing");
  EXPECT_EQ(Message(ParseCourse(
                head + R"("modules":[{"id":"X","name":"Privacy","hours":1},{"id":"X","name":"Again","hours":1}]})")),
            R"(courses[0].modules[1].id: module ids must be unique within the course, got "X")");
  EXPECT_EQ(Message(ParseCourse(head + R"("modules":[{"id":"X","name":"Privacy","hours":0}]})")),
            R"(courses[0].modules[0].hours: must be positive and at most 1000, got "0")");
  EXPECT_EQ(Message(ParseCourse(head + R"("modules":[{"id":"X","name":"Privacy","hours":"-2"}]})")),
            R"(courses[0].modules[0].hours: must be positive and at most 1000, got "-2")");
  EXPECT_EQ(Message(ParseCourse(head + R"("modules":[{"id":"X","name":"Privacy"}]})")),
            "courses[0].modules[0].hours: required field is missing");
  EXPECT_EQ(Message(ParseCourse(head + R"("modules":[{"id":"X","name":"","hours":1}]})")),
            R"(courses[0].modules[0].name: must not be empty, got "")");
  EXPECT_EQ(Message(ParseCourse(head + one_module + R"(,"pass_mark":101})")),
            R"(courses[0].pass_mark: must be between 0 and 100 with at most two decimals, got "101")");
  EXPECT_EQ(Message(ParseCourse(head + one_module + R"(,"pass_mark":"-1"})")),
            R"(courses[0].pass_mark: must be between 0 and 100 with at most two decimals, got "-1")");
  EXPECT_EQ(Message(ParseCourse(head + one_module + R"(,"pass_mark":"79.125"})")),
            R"(courses[0].pass_mark: must be between 0 and 100 with at most two decimals, got "79.125")");
  EXPECT_EQ(Message(ParseCourse(head + one_module + R"(,"certification":{"valid_days":0}})")),
            "courses[0].certification.valid_days: must be between 1 and 36500, got 0");
  EXPECT_EQ(Message(ParseCourse(head + one_module + R"(,"certification":{}})")),
            "courses[0].certification.valid_days: required field is missing");
  EXPECT_THAT(Message(ParseCourse(R"({"id":"CMP","name":"Compliance","topic":"law",)" + one_module + "}")),
              HasSubstr(R"(courses[0].topic: expected one of "product_knowledge", "sales_skills", )"
                        R"("customer_service", "compliance", "systems", "other", got "law")"));
  EXPECT_THAT(Message(ParseCourse(head + one_module + R"(,"valid_days":30})")),
              HasSubstr("courses[0].valid_days: unknown field"));
}

TEST(TrainingRequirementTest, ReadsWithRenewAbsentAndRefusesBadDays) {
  absl::StatusOr<TrainingRequirement> r =
      json::FromText<TrainingRequirement>(R"({"id":"R1","role":"am","course":"CMP","within_days":30})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->renew.has_value());  // the default depends on the course
  EXPECT_EQ(json::ToText(*r), R"({"id":"R1","role":"am","course":"CMP","within_days":30})");

  EXPECT_EQ(Message(ParseRequirement(R"({"id":"R1","role":"am","course":"CMP","within_days":0})")),
            "training_requirements[0].within_days: must be between 1 and 36500, got 0");
  EXPECT_EQ(Message(ParseRequirement(R"({"id":"R1","role":"am","course":"CMP","within_days":36501})")),
            "training_requirements[0].within_days: must be between 1 and 36500, got 36501");
  EXPECT_EQ(Message(ParseRequirement(R"({"id":"R1","role":"am","course":"CMP"})")),
            "training_requirements[0].within_days: required field is missing");
  EXPECT_EQ(Message(ParseRequirement(R"({"id":"R1","role":"am","within_days":3})")),
            "training_requirements[0].course: required field is missing");
  EXPECT_EQ(Message(ParseRequirement(R"({"id":"R1","role":"am","course":"CMP","within_days":3,"renew":"yes"})")),
            R"(training_requirements[0].renew: expected true or false, got "yes")");
}

TEST(TrainingDocumentsTest, WorkspaceStoresThemTypedAndRefusesBadOnes) {
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open("memory:");
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::StatusOr<Document> doc =
      (*ws)->Put("courses", "PK",
                 R"({"name":"Products","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":2}]})");
  ASSERT_TRUE(doc.ok()) << doc.status();
  // Canonical: the id filled in, the decimal written as a string.
  EXPECT_EQ(
      doc->body,
      R"({"id":"PK","name":"Products","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":"2"}]})");
  ASSERT_TRUE((*ws)->Put("training_requirements", "R1", R"({"role":"am","course":"PK","within_days":30})").ok());

  absl::Status bad = (*ws)->Put("courses", "EMPTY", R"({"name":"Empty","topic":"other","modules":[]})").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(bad), "modules: must list at least one module, got []");
  bad = (*ws)->Put("training_requirements", "R2", R"({"role":"am","course":"PK","within_days":-1})").status();
  EXPECT_EQ(Message(bad), "within_days: must be between 1 and 36500, got -1");
  EXPECT_FALSE((*ws)->Get("courses", "EMPTY").ok());
}

}  // namespace
}  // namespace cadre

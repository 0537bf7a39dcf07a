// Tests of the CRM activity the synthetic retailer generates: line items,
// customers' contact preferences, follow-up tasks and their completion, and
// opportunities moving through the pipelines.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/period.h"
#include "cadre/synth.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

SynthOptions SmallOptions() {
  SynthOptions o;
  o.customers = 2000;
  return o;
}

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

bool EmployedOn(const Manager& m, absl::CivilDay day) {
  if (!m.hired_on || day < *m.hired_on) return false;
  if (m.left_on && day >= *m.left_on) return false;
  auto leave = m.attributes.find("leave_from");
  return leave == m.attributes.end() || FormatDay(day) < leave->second;
}

class SynthActivityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new SynthDataset(GenerateRetail(SmallOptions())); }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static const SynthDataset& data() { return *data_; }

  static std::map<std::string, const Manager*> ManagersById() {
    std::map<std::string, const Manager*> out;
    for (const auto& m : data().managers) out[m.id] = &m;
    return out;
  }

 private:
  static SynthDataset* data_;
};
SynthDataset* SynthActivityTest::data_ = nullptr;

// ---- Line items -------------------------------------------------------------------

TEST_F(SynthActivityTest, LineItemsSumExactlyToTheAmount) {
  int regular_sales = 0, with_lines = 0;
  for (const Event& e : data().events) {
    if (e.kind != EventKind::kSale && e.kind != EventKind::kReturn) continue;
    const bool regular_sale = e.kind == EventKind::kSale && !e.id.starts_with("SO");
    regular_sales += regular_sale;
    if (e.lines.empty()) continue;
    with_lines += regular_sale;
    EXPECT_FALSE(e.sku || e.category || e.quantity) << e.id << ": a basket names its SKUs in its lines";
    int64_t sum = 0;
    std::set<std::string> skus;
    for (const LineItem& line : e.lines) {
      sum += line.amount_minor;
      EXPECT_GT(line.amount_minor, 0) << e.id;
      EXPECT_GE(line.quantity, 1) << e.id;
      EXPECT_TRUE(line.category) << e.id;
      EXPECT_TRUE(skus.insert(line.sku).second) << e.id << ": " << line.sku << " on two lines";
    }
    EXPECT_EQ(sum, *e.amount_minor) << e.id;
    if (regular_sale) {
      EXPECT_GE(e.lines.size(), 2u) << e.id;
      EXPECT_LE(e.lines.size(), 4u) << e.id;
    }
  }
  // line_items_per_mille = 300.
  EXPECT_GT(with_lines * 1000, regular_sales * 260);
  EXPECT_LT(with_lines * 1000, regular_sales * 340);
}

TEST(SynthActivityOptionsTest, LineItemShareFollowsTheOption) {
  SynthOptions o;
  o.customers = 300;
  o.opportunities_per_manager_month = 0;
  for (int per_mille : {0, 1000}) {
    o.line_items_per_mille = per_mille;
    int64_t sales = 0, with_lines = 0;
    GenerateRetailEvents(o, [&](const Event& e) {
      if (e.kind == EventKind::kSale) {
        ++sales;
        with_lines += !e.lines.empty();
      }
      return true;
    });
    if (per_mille == 0) {
      EXPECT_EQ(with_lines, 0);
    } else {
      EXPECT_GT(with_lines * 100, sales * 95);  // all but baskets whose extra SKUs were all repeats
    }
  }
}

// ---- Customers ----------------------------------------------------------------------

TEST_F(SynthActivityTest, CustomersStateChannelsContactTimesAndConsent) {
  const absl::TimeZone tz = Shanghai();
  int windows = 0, two_windows = 0, consent = 0, refused_something = 0, may_call_now = 0;
  const absl::Time tuesday_evening = absl::FromCivil(absl::CivilSecond(2025, 3, 4, 19, 0, 0), tz);
  for (const Customer& c : data().customers) {
    ASSERT_FALSE(c.preferred_channels.empty()) << c.id;
    EXPECT_LE(c.preferred_channels.size(), 3u) << c.id;
    for (Channel ch : c.preferred_channels) {
      if (ch == Channel::kEmail) {
        EXPECT_TRUE(c.email) << c.id << " prefers e-mail without an address";
      }
      if (!c.consent.empty()) {
        EXPECT_TRUE(c.consent.at(std::string(json::EnumName(ch)))) << c.id << " prefers a channel refused";
      }
    }
    windows += !c.contact_times.empty();
    two_windows += c.contact_times.size() == 2;
    if (c.consent.empty()) continue;
    ++consent;
    EXPECT_EQ(c.consent.count("email") == 1, c.email.has_value()) << c.id;
    refused_something += std::any_of(c.consent.begin(), c.consent.end(), [](const auto& kv) { return !kv.second; });
    may_call_now += MayContact(c, Channel::kCall, tuesday_evening, tz);
  }
  const int n = static_cast<int>(data().customers.size());
  EXPECT_GT(windows * 1000, n * 330);  // 400 per mille
  EXPECT_LT(windows * 1000, n * 470);
  EXPECT_GT(two_windows, 0);
  EXPECT_GT(consent * 1000, n * 840);  // 880 per mille
  EXPECT_LT(consent * 1000, n * 920);
  EXPECT_GT(refused_something, 0);
  EXPECT_GT(may_call_now, 0);
  EXPECT_LT(may_call_now, consent);
}

// ---- Follow-ups ---------------------------------------------------------------------

struct Task {
  const Event* event;
  std::optional<std::string> owner_then;
};

TEST_F(SynthActivityTest, FollowUpsAreDoneAfterTheirTaskByTheEmployedOwnerOfTheMoment) {
  const absl::TimeZone tz = Shanghai();
  const auto managers = ManagersById();
  std::map<std::string, std::string> owner;
  std::map<std::string, Task> tasks;
  std::set<std::string> done;
  int follow_ups = 0, naming_nobody = 0, interaction_tasks = 0, on_time = 0, late = 0;
  std::set<std::string> outcomes_with_steps;
  for (const Event& e : data().events) {
    switch (e.kind) {
      case EventKind::kAssignment:
        owner[*e.customer] = *e.manager;
        break;
      case EventKind::kInteraction:
        if (!e.due_on) {
          EXPECT_FALSE(e.next_step) << e.id;
          break;
        }
        ++interaction_tasks;
        EXPECT_TRUE(e.next_step) << e.id;
        outcomes_with_steps.insert(*e.outcome);
        EXPECT_GT(*e.due_on, absl::ToCivilDay(e.occurred_at, tz)) << e.id;
        tasks[e.id] = Task{&e, owner.at(*e.customer)};
        break;
      case EventKind::kFollowUp:
        ++follow_ups;
        ASSERT_TRUE(e.customer && e.due_on && e.next_step) << e.id;
        EXPECT_GT(*e.due_on, absl::ToCivilDay(e.occurred_at, tz)) << e.id;
        if (e.manager) {
          EXPECT_EQ(*e.manager, owner.at(*e.customer)) << e.id;
        } else {
          ++naming_nobody;
        }
        tasks[e.id] = Task{&e, owner.at(*e.customer)};
        break;
      case EventKind::kFollowUpDone: {
        ASSERT_TRUE(e.reference) << e.id;
        auto task = tasks.find(*e.reference);
        ASSERT_NE(task, tasks.end()) << e.id << " completes " << *e.reference << ", not an earlier task";
        EXPECT_TRUE(done.insert(*e.reference).second) << *e.reference << " done twice";
        const Event& t = *task->second.event;
        EXPECT_GT(e.occurred_at, t.occurred_at) << e.id;
        EXPECT_TRUE(e.outcome) << e.id;
        // By the owner of the moment, who is employed that day.
        const std::string& by = e.attributes.at("done_by");
        EXPECT_EQ(by, owner.at(*t.customer)) << e.id;
        const absl::CivilDay day = absl::ToCivilDay(e.occurred_at, tz);
        EXPECT_TRUE(EmployedOn(*managers.at(by), day)) << e.id << " by " << by << " on " << day;
        (day <= *t.due_on ? on_time : late)++;
        break;
      }
      default:
        break;
    }
  }
  EXPECT_EQ(outcomes_with_steps, (std::set<std::string>{"follow_up", "purchase_intent", "appointment_booked"}));
  // follow_ups_per_mille = 300 of 2000 customers; next_step_per_mille = 200 of the
  // third of the interactions with a forward-looking outcome.
  EXPECT_GT(follow_ups, 500);
  EXPECT_LT(follow_ups, 700);
  EXPECT_GT(naming_nobody, follow_ups / 10);
  EXPECT_LT(naming_nobody, follow_ups * 3 / 10);
  EXPECT_GT(interaction_tasks, 600);
  EXPECT_LT(interaction_tasks, 1000);
  // Most are done (850 per mille, less those after the year or handed over), about
  // a quarter of those late, some never.
  const int total = static_cast<int>(tasks.size());
  const int done_count = static_cast<int>(done.size());
  EXPECT_GT(done_count * 100, total * 75);
  EXPECT_LT(done_count * 100, total * 90);
  EXPECT_GT(late * 100, done_count * 18);
  EXPECT_LT(late * 100, done_count * 32);
  EXPECT_EQ(on_time + late, done_count);
}

TEST(SynthActivityOptionsTest, NoFollowUpsWhenTurnedOff) {
  SynthOptions o;
  o.customers = 300;
  o.follow_ups_per_mille = 0;
  o.next_step_per_mille = 0;
  int tasks = 0;
  GenerateRetailEvents(o, [&](const Event& e) {
    tasks += e.kind == EventKind::kFollowUp || e.kind == EventKind::kFollowUpDone || e.due_on.has_value();
    tasks -= e.kind == EventKind::kOpportunity && e.due_on.has_value();  // an expected close date, not a task
    return true;
  });
  EXPECT_EQ(tasks, 0);
}

// ---- Opportunities --------------------------------------------------------------------

TEST(SynthPipelineTest, TheRetailPipelines) {
  const std::vector<Pipeline> pipelines = RetailPipelines();
  ASSERT_EQ(pipelines.size(), 2u);
  const Pipeline& retail = pipelines[0];
  EXPECT_EQ(retail.id, "default");
  std::vector<std::string> stages;
  for (const PipelineStage& s : retail.stages) stages.push_back(s.id);
  EXPECT_EQ(stages, (std::vector<std::string>{"lead", "qualified", "proposal", "negotiation", "won", "lost"}));
  for (std::string_view reason : {"price", "competitor", "no_budget", "timing"})
    EXPECT_NE(std::find(retail.lost_reasons.begin(), retail.lost_reasons.end(), reason), retail.lost_reasons.end());
  EXPECT_EQ(pipelines[1].id, "home_project");
  for (const Pipeline& p : pipelines) {
    json::Path path("pipeline");
    EXPECT_TRUE(p.Validate(path).ok()) << p.Validate(path);
    // Win probabilities rise through the open stages.
    for (std::size_t i = 1; i + 2 < p.stages.size(); ++i)
      EXPECT_LT(p.stages[i - 1].win_probability, p.stages[i].win_probability) << p.id << " " << p.stages[i].id;
  }
}

TEST_F(SynthActivityTest, OpportunitiesMoveThroughTheirPipelineInOrder) {
  const absl::TimeZone tz = Shanghai();
  const auto managers = ManagersById();
  std::map<std::string, const Pipeline*> pipelines;
  for (const Pipeline& p : data().pipelines) pipelines[p.id] = &p;
  struct Seen {
    std::vector<const Event*> moves;
  };
  std::map<std::string, Seen> opportunities;
  std::map<std::string, std::string> owner;
  std::map<std::string, int> open_per_customer;
  int won = 0, lost = 0, sales_after_won = 0;
  std::set<std::string> reasons, pipelines_used;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kAssignment) owner[*e.customer] = *e.manager;
    if (e.kind == EventKind::kSale && e.reference && e.reference->starts_with("OP")) {
      // A won opportunity rung up: same customer, its negotiated value, after the win.
      auto it = opportunities.find(*e.reference);
      ASSERT_NE(it, opportunities.end()) << e.id;
      const Event& last = *it->second.moves.back();
      EXPECT_EQ(*last.stage, "won") << e.id;
      EXPECT_EQ(e.customer, last.customer) << e.id;
      EXPECT_EQ(*e.amount_minor, *last.amount_minor) << e.id;
      EXPECT_GT(e.occurred_at, last.occurred_at) << e.id;
      EXPECT_EQ(absl::ToCivilDay(e.occurred_at, tz), absl::ToCivilDay(last.occurred_at, tz)) << e.id;
      ++sales_after_won;
    }
    if (e.kind != EventKind::kOpportunity) continue;
    ASSERT_TRUE(e.reference && e.customer && e.stage && e.amount_minor && e.due_on && e.manager) << e.id;
    const std::string pipeline_id = e.pipeline.value_or("default");
    pipelines_used.insert(pipeline_id);
    ASSERT_TRUE(pipelines.count(pipeline_id)) << e.id;
    const Pipeline& pipeline = *pipelines[pipeline_id];
    const int index = pipeline.StageIndex(*e.stage);
    ASSERT_GE(index, 0) << e.id << ": " << *e.stage << " is not a stage of " << pipeline_id;
    const StageOutcome outcome = pipeline.stages[static_cast<std::size_t>(index)].outcome;
    EXPECT_GT(*e.amount_minor, 0) << e.id;
    // Named by the customer's owner of the moment, who is employed.
    EXPECT_EQ(*e.manager, owner.at(*e.customer)) << e.id;
    EXPECT_TRUE(EmployedOn(*managers.at(*e.manager), absl::ToCivilDay(e.occurred_at, tz))) << e.id;
    // A lost move gives one of the pipeline's reasons; no other move gives one.
    if (outcome == StageOutcome::kLost) {
      ASSERT_TRUE(e.reason) << e.id;
      EXPECT_NE(std::find(pipeline.lost_reasons.begin(), pipeline.lost_reasons.end(), *e.reason),
                pipeline.lost_reasons.end())
          << e.id;
      reasons.insert(*e.reason);
      ++lost;
    } else {
      EXPECT_FALSE(e.reason) << e.id;
    }
    won += outcome == StageOutcome::kWon;

    Seen& seen = opportunities[*e.reference];
    if (seen.moves.empty()) {
      EXPECT_EQ(index, 0) << e.id << ": opens in " << *e.stage;
      EXPECT_EQ(open_per_customer[*e.customer]++, 0) << e.id << ": a second open opportunity of " << *e.customer;
    } else {
      const Event& before = *seen.moves.back();
      EXPECT_EQ(before.customer, e.customer) << e.id;
      EXPECT_EQ(before.pipeline, e.pipeline) << e.id;
      EXPECT_GT(absl::ToCivilDay(e.occurred_at, tz), absl::ToCivilDay(before.occurred_at, tz)) << e.id;
      const int previous = pipeline.StageIndex(*before.stage);
      EXPECT_EQ(pipeline.stages[static_cast<std::size_t>(previous)].outcome, StageOutcome::kOpen)
          << e.id << " moves on from a closed opportunity";
      // One stage on, won from the last open stage, or lost from any.
      if (outcome == StageOutcome::kOpen) {
        EXPECT_EQ(index, previous + 1) << e.id;
      } else if (outcome == StageOutcome::kWon) {
        EXPECT_EQ(pipeline.stages[static_cast<std::size_t>(previous) + 1].outcome, StageOutcome::kWon) << e.id;
      }
      // The expected value only ever comes down (in negotiation).
      EXPECT_LE(*e.amount_minor, *before.amount_minor) << e.id;
    }
    if (outcome != StageOutcome::kOpen) --open_per_customer[*e.customer];
    seen.moves.push_back(&e);
  }
  int still_open = 0;
  for (const auto& [id, seen] : opportunities) {
    const Pipeline& p = *pipelines[seen.moves.back()->pipeline.value_or("default")];
    still_open += p.FindStage(*seen.moves.back()->stage)->outcome == StageOutcome::kOpen;
  }
  // opportunities_per_manager_month = 2 for a portfolio of 100 customers, so
  // about 2 * 12 * 2000 / 100 a year for 2000 customers.
  const int n = static_cast<int>(opportunities.size());
  EXPECT_GT(n, 400);
  EXPECT_LT(n, 560);
  EXPECT_EQ(won + lost + still_open, n);
  EXPECT_GT(won, n / 10);
  EXPECT_GT(lost, n / 3);
  EXPECT_GT(still_open, n / 20);
  EXPECT_GT(sales_after_won, won * 7 / 10);
  EXPECT_LE(sales_after_won, won);
  EXPECT_EQ(pipelines_used, (std::set<std::string>{"default", "home_project"}));
  EXPECT_GE(reasons.size(), 4u);
}

TEST(SynthActivityOptionsTest, OpportunitiesFollowTheOption) {
  // Three managers with full portfolios (about 200 customers each).
  SynthOptions o;
  o.regions = 1;
  o.stores_per_region = 1;
  o.teams_per_store = 1;
  o.managers_per_team = 3;
  o.customers = 600;
  std::map<int, std::set<std::string>> opened;
  for (int per_month : {0, 1, 4}) {
    o.opportunities_per_manager_month = per_month;
    GenerateRetailEvents(o, [&](const Event& e) {
      if (e.kind == EventKind::kOpportunity) opened[per_month].insert(*e.reference);
      return true;
    });
  }
  EXPECT_TRUE(opened[0].empty());
  EXPECT_GT(opened[1].size(), 25u);  // 3 managers * 12 months
  EXPECT_LT(opened[1].size(), 50u);
  EXPECT_GT(opened[4].size(), opened[1].size() * 2);
}

}  // namespace
}  // namespace cadre

// Tests of the synthetic retail generator: determinism, streaming, the invariants
// the rest of cadre relies on, the realism its users expect, and loading.
#include "cadre/synth.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/decimal.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

// The default organisation (144 managers) with fewer customers, so the suite stays fast.
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

std::vector<std::string> AllText(const SynthDataset& d) {
  std::vector<std::string> out;
  for (const auto& u : d.org_units) out.push_back(json::ToText(u));
  for (const auto& m : d.managers) out.push_back(json::ToText(m));
  for (const auto& c : d.customers) out.push_back(json::ToText(c));
  for (const auto& p : d.pipelines) out.push_back(json::ToText(p));
  for (const auto& e : d.events) out.push_back(json::ToText(e));
  return out;
}

class SynthTest : public ::testing::Test {
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
  static std::map<std::string, std::string> TeamStore() {
    std::map<std::string, std::string> out;
    for (const auto& u : data().org_units)
      if (u.kind == OrgUnitKind::kTeam) out[u.id] = *u.parent;
    return out;
  }

 private:
  static SynthDataset* data_;
};
SynthDataset* SynthTest::data_ = nullptr;

// ---- Determinism ------------------------------------------------------------------

TEST_F(SynthTest, SameSeedGivesIdenticalDataset) {
  SynthDataset again = GenerateRetail(SmallOptions());
  EXPECT_EQ(AllText(again), AllText(data()));
}

TEST_F(SynthTest, DifferentSeedGivesDifferentDataset) {
  SynthOptions o = SmallOptions();
  o.seed += 1;
  SynthDataset other = GenerateRetail(o);
  EXPECT_NE(AllText(other), AllText(data()));
  // Same shape of organisation, different people and facts.
  EXPECT_EQ(other.managers.size(), data().managers.size());
  EXPECT_NE(json::ToText(other.managers[0]), json::ToText(data().managers[0]));
}

TEST_F(SynthTest, StreamingEqualsBatch) {
  std::size_t i = 0;
  bool same = true;
  GenerateRetailEvents(SmallOptions(), [&](const Event& e) {
    same = same && i < data().events.size() && json::ToText(e) == json::ToText(data().events[i]);
    ++i;
    return true;
  });
  EXPECT_TRUE(same);
  EXPECT_EQ(i, data().events.size());
}

TEST_F(SynthTest, StreamingStopsWhenAsked) {
  std::size_t seen = 0;
  GenerateRetailEvents(SmallOptions(), [&](const Event&) { return ++seen < 100; });
  EXPECT_EQ(seen, 100u);
}

// Pins the generator's output for the small configuration (computed once, from the
// generator as committed). A change here means the generator changed: if that was
// on purpose, update the numbers and say so in the commit message; if not,
// something broke determinism. Only generator fields are hashed (not JSON text),
// so a change of the wire form does not move it.
TEST_F(SynthTest, PinnedFingerprint) {
  std::map<EventKind, int64_t> count, amount;
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a over ids, instants and amounts
  auto mix = [&](std::string_view s) {
    for (unsigned char ch : s) hash = (hash ^ ch) * 1099511628211ULL;
  };
  for (const Event& e : data().events) {
    ++count[e.kind];
    amount[e.kind] += e.amount_minor.value_or(0);
    mix(e.id);
    mix(std::to_string(absl::ToUnixSeconds(e.occurred_at)));
    mix(e.manager.value_or("-"));
    mix(e.customer.value_or("-"));
    mix(std::to_string(e.amount_minor.value_or(0)));
    mix(e.reference.value_or("-"));
    mix(e.stage.value_or("-"));
    mix(e.due_on ? FormatDay(*e.due_on) : "-");
    if (e.kind == EventKind::kSurveyResponse) {
      mix(*e.category);
      mix(std::to_string(e.score->units()));
    }
    for (const LineItem& line : e.lines) {
      mix(line.sku);
      mix(std::to_string(line.quantity));
      mix(std::to_string(line.amount_minor));
    }
  }
  EXPECT_EQ(data().events.size(), 25891u);
  EXPECT_EQ(count[EventKind::kAssignment], 2203);
  EXPECT_EQ(count[EventKind::kSale], 7244);  // 7151 of the customers' own and 93 of won opportunities
  EXPECT_EQ(count[EventKind::kReturn], 390);
  EXPECT_EQ(count[EventKind::kInteraction], 12022);
  EXPECT_EQ(count[EventKind::kFollowUp], 602);
  EXPECT_EQ(count[EventKind::kFollowUpDone], 1176);
  EXPECT_EQ(count[EventKind::kOpportunity], 1685);
  EXPECT_EQ(count[EventKind::kSurveyResponse], 569);
  EXPECT_EQ(amount[EventKind::kSale], 1540489719);  // CNY 15,404,897.19
  EXPECT_EQ(amount[EventKind::kReturn], 53660178);
  EXPECT_EQ(amount[EventKind::kOpportunity], 799267853);
  EXPECT_EQ(hash, 2514733342222671118ULL);
}

// ---- Shape and validity -------------------------------------------------------------

TEST_F(SynthTest, OrganisationHasTheConfiguredShape) {
  std::map<OrgUnitKind, int> kinds;
  std::set<std::string> seen;
  for (const OrgUnit& u : data().org_units) {
    ++kinds[u.kind];
    if (u.parent) {
      EXPECT_TRUE(seen.count(*u.parent)) << u.id << " comes before its parent";
    }
    seen.insert(u.id);
  }
  EXPECT_EQ(data().org_units.front().kind, OrgUnitKind::kCompany);
  EXPECT_EQ(kinds[OrgUnitKind::kCompany], 1);
  EXPECT_EQ(kinds[OrgUnitKind::kRegion], 3);
  EXPECT_EQ(kinds[OrgUnitKind::kStore], 12);
  EXPECT_EQ(kinds[OrgUnitKind::kTeam], 24);
  EXPECT_EQ(data().managers.size(), 144u);
  EXPECT_EQ(data().customers.size(), 2000u);
  EXPECT_EQ(data().org_units[1].id, "R01");
  EXPECT_EQ(data().org_units[1].name, "East China");
  EXPECT_EQ(data().managers.front().id, "M0001");
  EXPECT_EQ(data().customers.front().id, "C000001");

  const auto managers = ManagersById();
  for (const OrgUnit& u : data().org_units) {
    if (u.kind != OrgUnitKind::kTeam) continue;
    ASSERT_TRUE(u.lead) << u.id;
    EXPECT_EQ(managers.at(*u.lead)->team, u.id);
    EXPECT_EQ(managers.at(*u.lead)->status, EmploymentStatus::kActive);
  }
}

TEST_F(SynthTest, ManagersHaveLevelsHireDatesAndSomeDepartures) {
  const absl::CivilDay jan1(2025, 1, 1);
  std::set<int> levels;
  int left = 0, on_leave = 0, hired_this_year = 0, hired_before = 0;
  for (const Manager& m : data().managers) {
    levels.insert(m.level);
    EXPECT_GE(m.level, 1);
    EXPECT_LE(m.level, 5);
    ASSERT_TRUE(m.hired_on);
    (*m.hired_on < jan1 ? hired_before : hired_this_year)++;
    if (m.status == EmploymentStatus::kLeft) {
      ++left;
      ASSERT_TRUE(m.left_on);
      EXPECT_EQ(m.left_on->year(), 2025);
    }
    if (m.status == EmploymentStatus::kOnLeave) {
      ++on_leave;
      EXPECT_TRUE(m.attributes.count("leave_from"));
    }
  }
  EXPECT_EQ(levels, (std::set<int>{1, 2, 3, 4, 5}));
  EXPECT_GE(left, 3);
  EXPECT_GE(on_leave, 1);
  EXPECT_GE(hired_this_year, 3);
  EXPECT_GT(hired_before, 120);
}

TEST_F(SynthTest, CustomersHaveTiersStoresAndFavourites) {
  std::set<std::string> stores;
  for (const OrgUnit& u : data().org_units)
    if (u.kind == OrgUnitKind::kStore) stores.insert(u.id);
  std::map<MemberTier, int> tiers;
  for (const Customer& c : data().customers) {
    ++tiers[c.tier];
    ASSERT_TRUE(c.home_store);
    EXPECT_TRUE(stores.count(*c.home_store));
    ASSERT_TRUE(c.joined_on);
    EXPECT_LT(*c.joined_on, absl::CivilDay(2025, 1, 1));
    EXPECT_FALSE(c.favourite_categories.empty());
  }
  EXPECT_EQ(tiers.size(), 5u);
  EXPECT_GT(tiers[MemberTier::kStandard], tiers[MemberTier::kDiamond] * 10);
}

TEST_F(SynthTest, EveryDocumentAndEventValidatesAndRoundTrips) {
  for (const OrgUnit& u : data().org_units) {
    json::Path path("org_unit");
    ASSERT_TRUE(u.Validate(path).ok()) << u.Validate(path);
    auto back = json::FromText<OrgUnit>(json::ToText(u));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(json::ToText(*back), json::ToText(u));
  }
  for (const Manager& m : data().managers) {
    json::Path path("manager");
    ASSERT_TRUE(m.Validate(path).ok()) << m.Validate(path);
    auto back = json::FromText<Manager>(json::ToText(m));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(json::ToText(*back), json::ToText(m));
  }
  int with_windows = 0, with_consent = 0;
  for (const Customer& c : data().customers) {
    json::Path path("customer");
    ASSERT_TRUE(c.Validate(path).ok()) << c.Validate(path) << " in " << json::ToText(c);
    auto back = json::FromText<Customer>(json::ToText(c));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(json::ToText(*back), json::ToText(c));
    with_windows += !c.contact_times.empty();
    with_consent += !c.consent.empty();
  }
  ASSERT_FALSE(data().pipelines.empty());
  for (const Pipeline& p : data().pipelines) {
    json::Path path("pipeline");
    ASSERT_TRUE(p.Validate(path).ok()) << p.Validate(path) << " in " << json::ToText(p);
    auto back = json::FromText<Pipeline>(json::ToText(p));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(json::ToText(*back), json::ToText(p));
  }
  // Every kind the generator makes, and the optional parts of each, were checked.
  std::set<EventKind> kinds;
  int sales_with_lines = 0, returns_with_lines = 0, interaction_tasks = 0, lost_with_reason = 0;
  for (const Event& e : data().events) {
    json::Path path("event");
    ASSERT_TRUE(e.Validate(path).ok()) << e.Validate(path) << " in " << json::ToText(e);
    auto back = json::FromText<Event>(json::ToText(e));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(back->SameContent(e)) << json::ToText(e);
    kinds.insert(e.kind);
    sales_with_lines += e.kind == EventKind::kSale && !e.lines.empty();
    returns_with_lines += e.kind == EventKind::kReturn && !e.lines.empty();
    interaction_tasks += e.kind == EventKind::kInteraction && e.due_on.has_value();
    lost_with_reason += e.kind == EventKind::kOpportunity && e.reason.has_value();
  }
  EXPECT_EQ(kinds, (std::set<EventKind>{EventKind::kAssignment, EventKind::kSale, EventKind::kReturn,
                                        EventKind::kInteraction, EventKind::kFollowUp, EventKind::kFollowUpDone,
                                        EventKind::kOpportunity, EventKind::kSurveyResponse}));
  EXPECT_GT(sales_with_lines, 0);
  EXPECT_GT(returns_with_lines, 0);
  EXPECT_GT(interaction_tasks, 0);
  EXPECT_GT(lost_with_reason, 0);
  EXPECT_GT(with_windows, 0);
  EXPECT_GT(with_consent, 0);
}

TEST_F(SynthTest, EventsAreSortedWithUniqueReadableIds) {
  std::set<std::string> ids;
  const auto& ev = data().events;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    EXPECT_TRUE(ids.insert(ev[i].id).second) << ev[i].id;
    if (i > 0) {
      const bool ordered = ev[i - 1].occurred_at < ev[i].occurred_at ||
                           (ev[i - 1].occurred_at == ev[i].occurred_at && ev[i - 1].id < ev[i].id);
      ASSERT_TRUE(ordered) << ev[i - 1].id << " before " << ev[i].id;
    }
  }
  EXPECT_TRUE(ids.count("A000001"));
  EXPECT_TRUE(ids.count("S0000001"));
  EXPECT_TRUE(ids.count("RT000001"));
  EXPECT_TRUE(ids.count("I0000001"));
  EXPECT_TRUE(ids.count("F000001"));
  EXPECT_TRUE(ids.count("FD000001"));
  EXPECT_TRUE(ids.count("OP00001-1"));
  EXPECT_TRUE(ids.count("SO000001"));
  EXPECT_TRUE(ids.count("SV000001"));
}

// ---- Ownership ------------------------------------------------------------------------

TEST_F(SynthTest, EveryCustomerIsOwnedAtTheStartOfTheYearByAManagerOfItsStore) {
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2025, 1, 1, 0, 0, 0), Shanghai());
  const auto managers = ManagersById();
  const auto team_store = TeamStore();
  std::map<std::string, std::string> home;
  for (const Customer& c : data().customers) home[c.id] = *c.home_store;

  std::set<std::string> owned_at_start;
  int reassignments = 0;
  std::set<std::string> reasons;
  for (const Event& e : data().events) {
    if (e.kind != EventKind::kAssignment) continue;
    ASSERT_TRUE(e.manager && e.customer);
    EXPECT_EQ(team_store.at(managers.at(*e.manager)->team), home.at(*e.customer))
        << e.id << ": owner outside the customer's store";
    if (e.occurred_at == start) {
      owned_at_start.insert(*e.customer);
    } else {
      ++reassignments;
      ASSERT_TRUE(e.reason);
      reasons.insert(*e.reason);
    }
  }
  EXPECT_EQ(owned_at_start.size(), data().customers.size());
  // The first events of the log are the year's portfolios.
  for (std::size_t i = 0; i < data().customers.size(); ++i) {
    ASSERT_EQ(data().events[i].kind, EventKind::kAssignment);
    EXPECT_EQ(data().events[i].occurred_at, start);
  }
  EXPECT_GT(reassignments, 20);
  EXPECT_LT(reassignments, static_cast<int>(data().customers.size()) / 2);
  EXPECT_TRUE(reasons.count("previous manager left"));
  EXPECT_TRUE(reasons.count("customer request"));
  EXPECT_TRUE(reasons.count("rebalancing for new hire"));
}

// Returns and survey responses are left out: they name the manager of the sale,
// who may have left since.
TEST_F(SynthTest, NobodySellsOrCallsWhileNotEmployed) {
  const absl::TimeZone tz = Shanghai();
  const auto managers = ManagersById();
  int sales_by_leavers = 0;
  std::set<EventKind> checked;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kReturn || e.kind == EventKind::kSurveyResponse || e.kind == EventKind::kAssignment)
      continue;
    // A follow_up_done names no manager; who did it is its done_by attribute.
    std::optional<std::string> actor = e.manager;
    if (e.kind == EventKind::kFollowUpDone) {
      auto it = e.attributes.find("done_by");
      ASSERT_NE(it, e.attributes.end()) << e.id;
      actor = it->second;
    }
    if (!actor) continue;
    checked.insert(e.kind);
    const Manager& m = *managers.at(*actor);
    const absl::CivilDay day = absl::ToCivilDay(e.occurred_at, tz);
    EXPECT_GE(day, *m.hired_on) << e.id << " by " << m.id << " before hire";
    if (m.left_on) {
      EXPECT_LT(day, *m.left_on) << e.id << " by " << m.id << " after leaving";
      if (e.kind == EventKind::kSale) ++sales_by_leavers;
    }
    if (auto it = m.attributes.find("leave_from"); it != m.attributes.end()) {
      EXPECT_LT(FormatDay(day), it->second) << e.id << " by " << m.id << " on leave";
    }
  }
  EXPECT_GT(sales_by_leavers, 0) << "leavers should sell before they leave";
  EXPECT_EQ(checked, (std::set<EventKind>{EventKind::kSale, EventKind::kInteraction, EventKind::kFollowUp,
                                          EventKind::kFollowUpDone, EventKind::kOpportunity}));
}

TEST_F(SynthTest, InteractionsAreByTheCurrentOwner) {
  std::map<std::string, std::string> owner;
  int interactions = 0;
  std::set<Channel> channels;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kAssignment) owner[*e.customer] = *e.manager;
    if (e.kind != EventKind::kInteraction) continue;
    ++interactions;
    channels.insert(*e.channel);
    EXPECT_EQ(*e.manager, owner.at(*e.customer)) << e.id;
    EXPECT_TRUE(e.outcome);
  }
  // About interactions_per_customer (6) a year each.
  EXPECT_GT(interactions, 2000 * 5);
  EXPECT_LT(interactions, 2000 * 7);
  EXPECT_EQ(channels.size(), 5u);
}

TEST_F(SynthTest, SalesMostlyNameTheOwnerAndSometimesNobody) {
  std::map<std::string, std::string> owner;
  int sales = 0, by_owner = 0, unnamed = 0;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kAssignment) owner[*e.customer] = *e.manager;
    if (e.kind != EventKind::kSale) continue;
    ++sales;
    EXPECT_TRUE(e.customer && e.channel) << e.id;
    // One SKU, or line items that name theirs.
    EXPECT_EQ(e.lines.empty(), e.category && e.sku && e.quantity) << e.id;
    EXPECT_GT(*e.amount_minor, 0);
    if (!e.manager) {
      ++unnamed;
    } else if (*e.manager == owner.at(*e.customer)) {
      ++by_owner;
    }
  }
  EXPECT_GT(by_owner, sales * 80 / 100);
  EXPECT_GT(unnamed, sales * 6 / 100);
  EXPECT_LT(unnamed, sales * 14 / 100);
}

// ---- Returns --------------------------------------------------------------------------

TEST_F(SynthTest, ReturnsReferenceAnEarlierSaleForAtMostItsAmount) {
  absl::flat_hash_map<std::string, const Event*> sales;
  std::set<std::string> returned;
  int64_t sale_count = 0, return_count = 0;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kSale) {
      sales[e.id] = &e;
      ++sale_count;
    }
    if (e.kind != EventKind::kReturn) continue;
    ++return_count;
    ASSERT_TRUE(e.reference) << e.id;
    auto it = sales.find(*e.reference);
    ASSERT_NE(it, sales.end()) << e.id << " references " << *e.reference << ", not an earlier sale";
    const Event& sale = *it->second;
    EXPECT_TRUE(returned.insert(sale.id).second) << sale.id << " returned twice";
    EXPECT_LE(*e.amount_minor, *sale.amount_minor);
    EXPECT_GT(*e.amount_minor, 0);
    EXPECT_EQ(e.customer, sale.customer);
    EXPECT_EQ(e.manager, sale.manager);
    EXPECT_EQ(e.sku, sale.sku);
    // A basket comes back as lines, each at most what was bought of its SKU.
    EXPECT_EQ(e.lines.empty(), sale.lines.empty()) << e.id;
    if (e.lines.empty()) {
      EXPECT_LE(*e.quantity, *sale.quantity);
    }
    for (const LineItem& line : e.lines) {
      auto bought =
          std::find_if(sale.lines.begin(), sale.lines.end(), [&](const LineItem& l) { return l.sku == line.sku; });
      ASSERT_NE(bought, sale.lines.end()) << e.id << " returns " << line.sku << ", not in " << sale.id;
      EXPECT_LE(line.quantity, bought->quantity) << e.id;
      EXPECT_LE(line.amount_minor, bought->amount_minor) << e.id;
      EXPECT_GT(line.amount_minor, 0) << e.id;
    }
    const absl::Duration delay = e.occurred_at - sale.occurred_at;
    EXPECT_GE(delay, absl::Hours(24 * 2)) << e.id;
    EXPECT_LE(delay, absl::Hours(24 * 31)) << e.id;
  }
  // return_per_mille = 50.
  EXPECT_GT(return_count * 1000, sale_count * 40);
  EXPECT_LT(return_count * 1000, sale_count * 60);
}

TEST(SynthOptionsTest, ReturnShareFollowsTheOption) {
  SynthOptions o = SmallOptions();
  o.customers = 500;
  o.return_per_mille = 200;
  int64_t sales = 0, returns = 0;
  GenerateRetailEvents(o, [&](const Event& e) {
    // Sales that ring up a won opportunity ("SO...") are never returned.
    sales += e.kind == EventKind::kSale && !e.id.starts_with("SO");
    returns += e.kind == EventKind::kReturn;
    return true;
  });
  EXPECT_GT(returns * 1000, sales * 170);
  EXPECT_LT(returns * 1000, sales * 230);
}

// ---- Surveys ------------------------------------------------------------------------------

TEST_F(SynthTest, SurveysAnswerAnEarlierSaleOfTheSameCustomerOnAScale) {
  const absl::TimeZone tz = Shanghai();
  absl::flat_hash_map<std::string, const Event*> sales;
  std::set<std::string> answered;
  int64_t regular_sales = 0, surveys = 0, csat = 0, named = 0, about_named_sales = 0;
  std::set<Channel> channels;
  for (const Event& e : data().events) {
    if (e.kind == EventKind::kSale) {
      sales[e.id] = &e;
      regular_sales += !e.id.starts_with("SO");
    }
    if (e.kind != EventKind::kSurveyResponse) continue;
    ++surveys;
    ASSERT_TRUE(e.customer && e.category && e.score && e.reference && e.channel) << e.id;
    auto it = sales.find(*e.reference);
    ASSERT_NE(it, sales.end()) << e.id << " is about " << *e.reference << ", not an earlier sale";
    const Event& sale = *it->second;
    EXPECT_FALSE(sale.id.starts_with("SO")) << e.id;
    EXPECT_TRUE(answered.insert(sale.id).second) << sale.id << " surveyed twice";
    EXPECT_EQ(e.customer, sale.customer) << e.id;
    // Named: the sale's manager; else nobody (the owner at the time is credited).
    if (e.manager) {
      EXPECT_EQ(e.manager, sale.manager) << e.id;
      ++named;
    }
    about_named_sales += sale.manager.has_value();
    const absl::CivilDay sold = absl::ToCivilDay(sale.occurred_at, tz);
    const absl::CivilDay answered_on = absl::ToCivilDay(e.occurred_at, tz);
    EXPECT_GE(answered_on - sold, 1) << e.id;
    EXPECT_LE(answered_on - sold, 10) << e.id;
    EXPECT_EQ(answered_on.year(), 2025) << e.id;
    EXPECT_EQ(*e.channel == Channel::kOnline, *sale.channel == Channel::kOnline) << e.id;
    channels.insert(*e.channel);
    const int64_t score = e.score->units() / Decimal::kOne;
    EXPECT_EQ(e.score->units() % Decimal::kOne, 0) << e.id;
    if (*e.category == "csat") {
      ++csat;
      EXPECT_GE(score, 1) << e.id;
      EXPECT_LE(score, 5) << e.id;
    } else {
      EXPECT_EQ(*e.category, "nps") << e.id;
      EXPECT_GE(score, 0) << e.id;
      EXPECT_LE(score, 10) << e.id;
    }
  }
  // surveys_per_mille = 80 of the customers' own sales (a few late-December
  // answers fall after the year); 60 % CSAT; about half name the sale's manager.
  EXPECT_GT(surveys * 1000, regular_sales * 65);
  EXPECT_LT(surveys * 1000, regular_sales * 90);
  EXPECT_GT(csat * 1000, surveys * 540);
  EXPECT_LT(csat * 1000, surveys * 660);
  EXPECT_GT(named * 1000, about_named_sales * 420);
  EXPECT_LT(named * 1000, about_named_sales * 580);
  EXPECT_EQ(channels, (std::set<Channel>{Channel::kMessage, Channel::kEmail, Channel::kOnline}));
}

// Every answer, credited as the KPI engine will (the manager named, else the
// customer's owner when it was given), leans on that manager's service quality,
// so the managers' CSAT and NPS differ: a leaderboard has a top and a bottom.
TEST(SynthSurveyTest, ScoresDifferFromManagerToManager) {
  SynthOptions o;
  o.regions = 1;
  o.stores_per_region = 1;
  o.teams_per_store = 2;  // 12 managers
  o.customers = 1500;
  o.surveys_per_mille = 1000;
  std::map<std::string, std::string> owner;
  struct Tally {
    int64_t csat_sum = 0, csat_count = 0, promoters = 0, detractors = 0, nps_count = 0;
  };
  std::map<std::string, Tally> by_manager;
  int64_t surveys = 0;
  GenerateRetailEvents(o, [&](const Event& e) {
    if (e.kind == EventKind::kAssignment) owner[*e.customer] = *e.manager;
    if (e.kind != EventKind::kSurveyResponse) return true;
    ++surveys;
    Tally& t = by_manager[e.manager ? *e.manager : owner.at(*e.customer)];
    const int64_t score = e.score->units() / Decimal::kOne;
    if (*e.category == "csat") {
      t.csat_sum += score;
      ++t.csat_count;
    } else {
      t.promoters += score >= 9;
      t.detractors += score <= 6;
      ++t.nps_count;
    }
    return true;
  });
  ASSERT_GT(surveys, 3000);
  // Averages in thousandths, over managers with enough answers to tell.
  int64_t csat_low = 5000, csat_high = 0, nps_low = 1000, nps_high = -1000;
  int measured = 0;
  for (const auto& [manager, t] : by_manager) {
    if (t.csat_count < 100 || t.nps_count < 60) continue;
    ++measured;
    const int64_t csat = t.csat_sum * 1000 / t.csat_count;
    const int64_t nps = (t.promoters - t.detractors) * 1000 / t.nps_count;
    csat_low = std::min(csat_low, csat);
    csat_high = std::max(csat_high, csat);
    nps_low = std::min(nps_low, nps);
    nps_high = std::max(nps_high, nps);
  }
  ASSERT_GE(measured, 6);
  EXPECT_GT(csat_high - csat_low, 300) << "CSAT from " << csat_low << " to " << csat_high << " (thousandths)";
  EXPECT_GT(nps_high - nps_low, 200) << "NPS from " << nps_low << " to " << nps_high << " (per mille)";
  // Mild: nobody is perfect or hopeless.
  EXPECT_GT(csat_low, 2500);
  EXPECT_LT(csat_high, 4800);
}

// Surveys draw from streams of their own: without them, every other event is
// exactly what it was.
TEST(SynthSurveyTest, SurveysLeaveTheOtherEventsAsTheyWere) {
  SynthOptions with = SmallOptions();
  with.customers = 500;
  SynthOptions without = with;
  without.surveys_per_mille = 0;
  std::vector<std::string> others;
  int64_t surveys = 0;
  GenerateRetailEvents(with, [&](const Event& e) {
    if (e.kind == EventKind::kSurveyResponse) {
      ++surveys;
    } else {
      others.push_back(json::ToText(e));
    }
    return true;
  });
  EXPECT_GT(surveys, 0);
  std::size_t i = 0;
  bool same = true;
  GenerateRetailEvents(without, [&](const Event& e) {
    EXPECT_NE(e.kind, EventKind::kSurveyResponse);
    same = same && i < others.size() && json::ToText(e) == others[i];
    ++i;
    return true;
  });
  EXPECT_TRUE(same);
  EXPECT_EQ(i, others.size());
}

// ---- Complaints -------------------------------------------------------------------------

// With complaints switched on, each case opens after a sale of its customer and
// runs its course in order: responded after opened, waiting then resumed,
// resolved with a root cause (mostly), sometimes reopened and resolved again;
// every event validates, and the rest of the dataset is what it was without them.
TEST(SynthComplaintTest, CasesRunTheirCourseAfterASaleAndLeaveTheRestAlone) {
  SynthOptions with = SmallOptions();
  with.customers = 1000;
  with.complaints_per_mille = 30;
  SynthOptions without = with;
  without.complaints_per_mille = 0;
  absl::flat_hash_map<std::string, const Event*> sales;
  std::vector<Event> events;
  std::vector<std::string> others;
  GenerateRetailEvents(with, [&](const Event& e) {
    events.push_back(e);
    if (e.kind != EventKind::kCase) others.push_back(json::ToText(e));
    return true;
  });
  struct Course {
    std::vector<std::string> stages;
    std::vector<absl::Time> at;
    std::optional<std::string> cause;
  };
  std::map<std::string, Course> cases;
  int64_t sales_count = 0;
  std::set<Severity> severities;
  for (const Event& e : events) {
    if (e.kind == EventKind::kSale) {
      sales[e.id] = &e;
      ++sales_count;
    }
    if (e.kind != EventKind::kCase) continue;
    json::Path path("events");
    ASSERT_TRUE(e.Validate(path).ok()) << e.id << ": " << e.Validate(path);
    Course& c = cases[*e.reference];
    c.stages.push_back(*e.stage);
    c.at.push_back(e.occurred_at);
    if (*e.stage == "opened") {
      ASSERT_TRUE(e.note && e.note->starts_with("about sale ")) << e.id;
      auto sale = sales.find(e.note->substr(11));
      ASSERT_NE(sale, sales.end()) << e.id << " complains about no earlier sale";
      EXPECT_EQ(e.customer, sale->second->customer) << e.id;
      EXPECT_EQ(e.manager, sale->second->manager) << e.id;
      EXPECT_GT(e.occurred_at, sale->second->occurred_at) << e.id;
      severities.insert(*e.severity);
    }
    if (*e.stage == "resolved" && e.reason) c.cause = e.reason;
  }
  ASSERT_GT(cases.size(), 20u);
  // About 3 % of the sales (those late in the year may open after it).
  EXPECT_GT(static_cast<int64_t>(cases.size()) * 1000, sales_count * 20);
  EXPECT_LT(static_cast<int64_t>(cases.size()) * 1000, sales_count * 31);
  EXPECT_EQ(severities.size(), 4u);
  int reopened = 0, waited = 0, resolved = 0;
  for (const auto& [id, c] : cases) {
    EXPECT_EQ(c.stages.front(), "opened") << id;
    EXPECT_TRUE(std::is_sorted(c.at.begin(), c.at.end())) << id;
    // The stages in their only possible order, cut off at the year's end.
    static const std::vector<std::vector<std::string>> kCourses = {
        {"opened", "responded", "resolved"},
        {"opened", "responded", "waiting", "resumed", "resolved"},
        {"opened", "responded", "resolved", "reopened", "resolved"},
        {"opened", "responded", "waiting", "resumed", "resolved", "reopened", "resolved"}};
    bool prefix = false;
    for (const auto& course : kCourses)
      prefix =
          prefix || (c.stages.size() <= course.size() && std::equal(c.stages.begin(), c.stages.end(), course.begin()));
    EXPECT_TRUE(prefix) << id << ": " << absl::StrJoin(c.stages, ",");
    reopened += std::count(c.stages.begin(), c.stages.end(), "reopened") > 0;
    waited += std::count(c.stages.begin(), c.stages.end(), "waiting") > 0;
    resolved += std::count(c.stages.begin(), c.stages.end(), "resolved") > 0;
  }
  EXPECT_GT(reopened, 0);
  EXPECT_LT(reopened * 4, resolved);
  EXPECT_GT(waited, 0);
  std::size_t i = 0;
  bool same = true;
  GenerateRetailEvents(without, [&](const Event& e) {
    EXPECT_NE(e.kind, EventKind::kCase);
    same = same && i < others.size() && json::ToText(e) == others[i];
    ++i;
    return true;
  });
  EXPECT_TRUE(same);
  EXPECT_EQ(i, others.size());
}

// ---- Rhythm and the long tail -----------------------------------------------------------

TEST_F(SynthTest, WeekendsAndPeaksSellMoreThanAnAverageDay) {
  const absl::TimeZone tz = Shanghai();
  std::map<absl::CivilDay, int64_t> per_day;
  int64_t total = 0;
  for (const Event& e : data().events) {
    if (e.kind != EventKind::kSale) continue;
    const absl::CivilDay day = absl::ToCivilDay(e.occurred_at, tz);
    EXPECT_EQ(day.year(), 2025);
    per_day[day] += *e.amount_minor;
    total += *e.amount_minor;
  }
  const int64_t average = total / 365;
  int64_t weekend = 0, weekday = 0, weekend_days = 0, weekday_days = 0;
  for (absl::CivilDay d(2025, 1, 1); d.year() == 2025; ++d) {
    const absl::Weekday w = absl::GetWeekday(d);
    const bool is_weekend = w == absl::Weekday::saturday || w == absl::Weekday::sunday;
    (is_weekend ? weekend : weekday) += per_day[d];
    (is_weekend ? weekend_days : weekday_days) += 1;
  }
  EXPECT_GT(weekend / weekend_days, weekday / weekday_days * 12 / 10);
  EXPECT_GT(per_day[absl::CivilDay(2025, 6, 18)], 2 * average);
  EXPECT_GT(per_day[absl::CivilDay(2025, 11, 11)], 3 * average);
  // Spring Festival 2025 is January 29: the week before is a rush, the day is quiet.
  int64_t rush = 0;
  for (int d = 20; d <= 26; ++d) rush += per_day[absl::CivilDay(2025, 1, d)];
  EXPECT_GT(rush / 7, average);
  EXPECT_LT(per_day[absl::CivilDay(2025, 1, 29)], average);
}

TEST_F(SynthTest, SpendHasALongTail) {
  std::map<std::string, int64_t> spend;
  int64_t total = 0;
  for (const Event& e : data().events) {
    if (e.kind != EventKind::kSale) continue;
    spend[*e.customer] += *e.amount_minor;
    total += *e.amount_minor;
  }
  std::vector<int64_t> sorted;
  for (const auto& [c, s] : spend) sorted.push_back(s);
  std::sort(sorted.rbegin(), sorted.rend());
  int64_t top = 0;
  for (std::size_t i = 0; i < sorted.size() / 20; ++i) top += sorted[i];
  // The top 5 % of buyers bring a quarter or more of the revenue; some members buy nothing.
  EXPECT_GT(top * 4, total);
  EXPECT_LT(spend.size(), data().customers.size());
}

TEST_F(SynthTest, CivilTimesFollowTheTimeZone) {
  const absl::TimeZone tz = Shanghai();
  for (const Event& e : data().events) {
    const absl::CivilSecond t = absl::ToCivilSecond(e.occurred_at, tz);
    if (e.kind == EventKind::kAssignment) {
      EXPECT_TRUE(t.hour() == 0 || t.hour() == 9) << e.id;
    } else if (e.kind == EventKind::kInteraction || e.kind == EventKind::kReturn ||
               (e.kind == EventKind::kSale && *e.channel == Channel::kStore) || e.kind == EventKind::kFollowUp ||
               e.kind == EventKind::kFollowUpDone || e.kind == EventKind::kOpportunity ||
               e.kind == EventKind::kSurveyResponse) {
      EXPECT_GE(t.hour(), 10) << e.id;
      EXPECT_LE(t.hour(), 21) << e.id;
    }
  }
}

TEST(SynthOptionsTest, ATinyOrganisationStillWorks) {
  SynthOptions o;
  o.regions = 1;
  o.stores_per_region = 1;
  o.teams_per_store = 1;
  o.managers_per_team = 1;
  o.customers = 20;
  SynthDataset d = GenerateRetail(o);
  EXPECT_EQ(d.org_units.size(), 4u);
  EXPECT_EQ(d.managers.size(), 1u);
  for (const Event& e : d.events) {
    if (e.manager) {
      EXPECT_EQ(*e.manager, "M0001");
    }
  }
  EXPECT_FALSE(d.events.empty());
}

// ---- Loading -----------------------------------------------------------------------------

TEST_F(SynthTest, LoadsIntoAMemoryWorkspace) {
  auto ws = Workspace::Open("memory:", {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  ASSERT_TRUE(ws.ok()) << ws.status();
  ASSERT_TRUE(LoadDataset(**ws, data(), 5000).ok());
  auto mark = (*ws)->HighWaterMark();
  ASSERT_TRUE(mark.ok()) << mark.status();
  EXPECT_EQ(*mark, data().events.size());
  auto customers = (*ws)->List("customers");
  ASSERT_TRUE(customers.ok()) << customers.status();
  EXPECT_EQ(customers->size(), data().customers.size());
  auto managers = (*ws)->List("managers");
  ASSERT_TRUE(managers.ok()) << managers.status();
  EXPECT_EQ(managers->size(), data().managers.size());
  auto units = (*ws)->List("org_units");
  ASSERT_TRUE(units.ok()) << units.status();
  EXPECT_EQ(units->size(), data().org_units.size());
  auto pipelines = (*ws)->List("pipelines");
  ASSERT_TRUE(pipelines.ok()) << pipelines.status();
  EXPECT_EQ(pipelines->size(), data().pipelines.size());

  // What was stored is what was generated.
  std::size_t i = 0;
  bool same = true;
  ASSERT_TRUE((*ws)
                  ->ScanEvents({},
                               [&](const StoredEvent& s) {
                                 same = same && i < data().events.size() && s.event.SameContent(data().events[i]);
                                 ++i;
                                 return true;
                               })
                  .ok());
  EXPECT_TRUE(same);
  EXPECT_EQ(i, data().events.size());

  // Loading again is idempotent for events.
  ASSERT_TRUE(LoadDataset(**ws, data()).ok());
  EXPECT_EQ(*(*ws)->HighWaterMark(), data().events.size());
}

TEST_F(SynthTest, LoadsIntoASqliteWorkspace) {
  testing::TempDir dir;
  auto ws = Workspace::Open("sqlite:" + dir.File("synth.db"), {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::Status loaded = LoadDataset(**ws, data());
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_EQ(*(*ws)->HighWaterMark(), data().events.size());
  std::size_t i = 0;
  bool same = true;
  ASSERT_TRUE((*ws)
                  ->ScanEvents({},
                               [&](const StoredEvent& s) {
                                 same = same && i < data().events.size() && s.event.SameContent(data().events[i]);
                                 ++i;
                                 return true;
                               })
                  .ok());
  EXPECT_TRUE(same);
  EXPECT_EQ(i, data().events.size());
}

// Ingest checks opportunity events against the pipeline in force: without the
// pipeline documents the load fails on the first opportunity.
TEST(SynthLoadTest, OpportunitiesNeedThePipelines) {
  SynthOptions o;
  o.customers = 50;
  SynthDataset d = GenerateRetail(o);
  d.pipelines.clear();
  auto ws = Workspace::Open("memory:", {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::Status s = LoadDataset(**ws, d);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("pipeline"));
}

TEST(SynthLoadTest, ARejectedEventFailsTheLoadWithItsMessage) {
  SynthOptions o;
  o.customers = 50;
  SynthDataset d = GenerateRetail(o);
  Event bad = d.events[10];
  bad.id = "BAD-1";
  bad.kind = EventKind::kSale;
  bad.channel.reset();
  bad.reason.reset();
  bad.outcome.reset();
  bad.amount_minor = -5;
  d.events.push_back(bad);
  auto ws = Workspace::Open("memory:", {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::Status s = LoadDataset(**ws, d);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("amount_minor"));
  EXPECT_THAT(s.message(), HasSubstr("BAD-1"));
}

TEST(SynthLoadTest, ZeroBatchSizeIsRefused) {
  auto ws = Workspace::Open("memory:", {});
  ASSERT_TRUE(ws.ok()) << ws.status();
  EXPECT_EQ(LoadDataset(**ws, SynthDataset{}, 0).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadre

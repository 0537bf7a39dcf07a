// retail_demo — a year of a retail chain's account managers, end to end.
//
//   retail_demo [PATH]      (default: retail_demo.db in the current directory)
//
// Creates a SQLite workspace at PATH (an existing file and its -wal/-shm are
// removed first, so every run starts clean), generates the default synthetic
// retailer (cadre/synth.h: 3 regions, 12 stores, 144 account managers, 20,000
// customers, a year of sales, returns, interactions, surveys and ownership
// changes), loads it, and prints a summary. Every figure of the summary is read
// back from the workspace (documents and event log), not from the generated data
// in memory: the demo shows what was persisted. The KPI section writes a
// scorecard definition and November's targets, then reads the month's scorecard,
// leaderboards, a series and a lineage through the KPI engine (cadre/kpi.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cadre/cases.h"
#include "cadre/crm.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/model.h"
#include "cadre/opportunity.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/pool.h"
#include "cadre/promotion.h"
#include "cadre/query.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "cadre/synth.h"
#include "cadre/tasks.h"
#include "cadre/training.h"
#include "cadre/workspace.h"

namespace {

using cadre::AbslView;

// "1,234,567".
std::string Grouped(int64_t n) {
  const bool negative = n < 0;
  std::string digits = absl::StrCat(negative ? -static_cast<uint64_t>(n) : static_cast<uint64_t>(n));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

// "CNY  1,234,567.89" from minor units; the number right-aligned in `width`
// characters so that columns line up (0: no padding).
std::string FormatMoney(int64_t minor, const cadre::Currency& currency, int width = 14) {
  int64_t unit = 1;
  for (int i = 0; i < currency.minor_digits(); ++i) unit *= 10;
  const bool negative = minor < 0;
  const uint64_t abs = negative ? -static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string number =
      absl::StrCat(negative ? "-" : "", Grouped(static_cast<int64_t>(abs / static_cast<uint64_t>(unit))));
  if (currency.minor_digits() > 0) {
    absl::StrAppend(
        &number, ".",
        absl::StrFormat("%0*d", currency.minor_digits(), static_cast<int64_t>(abs % static_cast<uint64_t>(unit))));
  }
  return absl::StrFormat("%s %*s", AbslView(currency.code()), width, number);
}

// "4.99 %" from a part and a whole.
std::string Percent(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  const int64_t basis_points = part * 10000 / whole;
  return absl::StrFormat("%d.%02d %%", basis_points / 100, basis_points % 100);
}

// "4.2x" from a value and a reference.
std::string Times(int64_t value, int64_t reference) {
  if (reference == 0) return "-";
  const int64_t tenths = value * 10 / reference;
  return absl::StrFormat("%d.%dx", tenths / 10, tenths % 10);
}

const char* MonthName(int month) {
  static const char* const kNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
  return kNames[month - 1];
}

void RemoveIfPresent(const std::string& path) {
  bool removed = false;
  for (const std::string& p : {path, path + "-wal", path + "-shm"}) {
    std::error_code ec;
    removed = std::filesystem::remove(p, ec) || removed;
  }
  if (removed) std::printf("Removed the previous %s (and its -wal/-shm) so the demo starts clean.\n\n", path.c_str());
}

struct Figures {
  std::map<cadre::EventKind, int64_t> count;
  int64_t gross = 0, returns = 0;
  std::map<std::string, int64_t> region_net;                            // region id
  std::map<absl::CivilMonth, std::pair<int64_t, int64_t>> month_sales;  // gross, count
  std::map<absl::CivilDay, std::pair<int64_t, int64_t>> day_sales;      // gross, count
};

// Prints a refused step's reason (the library's message, cut before any JSON
// detail) or "accepted".
std::string Outcome(const absl::Status& status) {
  if (status.ok()) return "accepted";
  return absl::StrCat("refused: ", status.message());
}

// The customer pool (公海) at the end of the year: a policy, the sweep, claims
// from the pool, and new customers handed out in one team.
absl::Status PoolAndAssignment(cadre::Workspace& ws, cadre::OwnershipProjection& ownership) {
  const absl::TimeZone tz = ws.time_zone();
  CADRE_ASSIGN_OR_RETURN(cadre::PoolPolicy policy, cadre::json::FromText<cadre::PoolPolicy>(R"({
      "id": "default", "name": "Year-end pool rules",
      "tiers": [
        {"tier": "standard", "no_follow_up_days": 90, "no_purchase_days": 180, "reminder_days": 7},
        {"tier": "silver",   "no_follow_up_days": 120, "no_purchase_days": 240, "reminder_days": 7},
        {"tier": "gold",     "no_follow_up_days": 150, "reminder_days": 14}],
      "daily_claim_limit": 2,
      "holding_limits": [{"level": 1, "max_customers": 160}, {"level": 3, "max_customers": 220}],
      "cool_down_days": 30,
      "exemption": {"purchase_within_days": 30, "tags": ["vip"]}})",
                                                                                            "policy"));
  CADRE_RETURN_IF_ERROR(ws.PutEntity(policy).status());

  const absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 12, 31, 20, 0, 0), tz);
  CADRE_ASSIGN_OR_RETURN(cadre::PoolPlan plan, cadre::PoolSweep(ws, ownership, policy, now));
  std::map<cadre::PoolRuleKind, int64_t> by_rule;
  for (const cadre::PoolMove& m : plan.returns) ++by_rule[m.rule];
  CADRE_ASSIGN_OR_RETURN(cadre::IngestReport swept, ws.Ingest(cadre::PoolPlanEvents(plan)));
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(ws));
  std::vector<std::string> pool;
  for (const std::string& c : ownership.Customers())
    if (!ownership.OwnerAt(c)) pool.push_back(c);

  std::printf("Customer pool (公海) at %s\n", absl::FormatTime("%Y-%m-%d %H:%M %Z", now, tz).c_str());
  std::printf("  policy                       %s: follow up within 90/120/150 days (standard/silver/gold),\n",
              policy.id.c_str());
  std::printf("                               buy within 180/240 days; 2 claims a day; 30-day cool-down\n");
  std::printf("  returned by the sweep        %s (no follow-up %s, no purchase %s), %s events ingested\n",
              Grouped(static_cast<int64_t>(plan.returns.size())).c_str(),
              Grouped(by_rule[cadre::PoolRuleKind::kNoFollowUp]).c_str(),
              Grouped(by_rule[cadre::PoolRuleKind::kNoPurchase]).c_str(),
              Grouped(static_cast<int64_t>(swept.accepted)).c_str());
  std::printf("  owners reminded              %s (deadline within the reminder window)\n",
              Grouped(static_cast<int64_t>(plan.reminders.size())).c_str());
  std::printf("  kept by the exemption        %s (bought in the last 30 days, or tagged vip)\n",
              Grouped(static_cast<int64_t>(plan.exempt.size())).c_str());
  std::printf("  customers in the pool now    %s\n", Grouped(static_cast<int64_t>(pool.size())).c_str());

  // Claims: an active manager of the first returned customer's store claims
  // three customers on one day (the third is over the daily limit), and the
  // previous owner tries to take the first one back (cool-down).
  CADRE_ASSIGN_OR_RETURN(cadre::OrgTree tree, cadre::OrgTree::Load(ws, now));
  if (!plan.returns.empty()) {
    const cadre::PoolMove& first = plan.returns.front();
    const cadre::Manager* previous = tree.FindManager(first.manager);
    const cadre::Manager* claimer = nullptr;
    for (const cadre::Manager& m : tree.managers()) {
      if (previous != nullptr && m.team == previous->team && m.id != previous->id &&
          cadre::CheckManagerAvailable(m, now, tz).ok()) {
        claimer = &m;
        break;
      }
    }
    if (claimer != nullptr) {
      std::printf("  claims by %s on the same evening:\n", claimer->id.c_str());
      for (std::size_t i = 0; i < plan.returns.size() && i < 3; ++i) {
        const std::string& customer = plan.returns[i].customer;
        absl::StatusOr<cadre::Event> claim =
            cadre::Claim(ws, ownership, policy, claimer->id, customer, now + absl::Minutes(static_cast<int>(i)));
        if (claim.ok()) CADRE_RETURN_IF_ERROR(ws.Ingest(std::vector<cadre::Event>{*claim}).status());
        std::printf("    %-10s %s\n", customer.c_str(), Outcome(claim.status()).c_str());
      }
      if (plan.returns.size() > 3) {
        const std::string& customer = plan.returns[3].customer;
        absl::StatusOr<cadre::Event> back =
            cadre::Claim(ws, ownership, policy, plan.returns[3].manager, customer, now + absl::Minutes(5));
        std::printf("  %s claims back %s: %s\n", plan.returns[3].manager.c_str(), customer.c_str(),
                    Outcome(back.status()).c_str());
      }
    }
  }

  // Assignment: eight new customers join one store on New Year's Eve and are
  // handed out round robin in its first team; inactive managers are skipped.
  const cadre::OrgUnit* team = nullptr;
  for (const cadre::Manager& m : tree.managers()) {
    if (m.status != cadre::EmploymentStatus::kActive) {
      team = tree.FindUnit(m.team);
      break;
    }
  }
  if (team == nullptr && !tree.managers().empty()) team = tree.FindUnit(tree.managers().front().team);
  if (team != nullptr) {
    std::vector<cadre::Workspace::DocumentPut> puts;
    std::vector<std::string> fresh;
    for (int i = 1; i <= 8; ++i) {
      cadre::Customer c;
      c.id = absl::StrFormat("C-NEW-%02d", i);
      c.name = absl::StrFormat("New customer %d", i);
      c.home_store = team->parent;
      c.joined_on = absl::CivilDay(2025, 12, 31);
      c.consent = {{"message", true}};
      puts.push_back({std::string(cadre::Customer::kCollection), c.id, cadre::json::ToText(c)});
      fresh.push_back(c.id);
    }
    CADRE_RETURN_IF_ERROR(ws.PutAll(puts).status());
    CADRE_ASSIGN_OR_RETURN(
        std::vector<cadre::Event> assigned,
        cadre::AssignNewCustomers(ws, ownership, policy, team->id, fresh, cadre::AssignmentStrategy::kRoundRobin, now));
    CADRE_RETURN_IF_ERROR(ws.Ingest(assigned).status());
    std::map<std::string, int> got;
    for (const cadre::Event& e : assigned) ++got[e.manager.value_or("")];
    std::vector<std::string> shares, skipped;
    for (const auto& [m, n] : got) shares.push_back(absl::StrCat(m, " ", n));
    for (const cadre::Manager& m : tree.managers()) {
      if (m.team != team->id) continue;
      absl::Status available = cadre::CheckManagerAvailable(m, now, tz);
      if (!available.ok())
        skipped.push_back(absl::StrCat(m.id, " (", std::string(cadre::json::EnumName(m.status)), ")"));
    }
    std::printf("  new customers, round robin in %s: %s\n", team->id.c_str(), absl::StrJoin(shares, ", ").c_str());
    std::printf("    skipped as not available: %s\n",
                skipped.empty() ? "nobody" : absl::StrJoin(skipped, ", ").c_str());
  }
  std::printf("\n");
  return absl::OkStatus();
}

// "12.34 %" from a Decimal ratio (0..1); "-" when there is none.
std::string PercentOf(const std::optional<cadre::Decimal>& ratio) {
  if (!ratio) return "-";
  absl::StatusOr<cadre::Decimal> pct =
      ratio->Mul(cadre::Decimal::FromUnits(100 * cadre::Decimal::kOne), cadre::RoundingMode::kHalfEven);
  if (!pct.ok()) return "-";
  return absl::StrCat(pct->Round(2, cadre::RoundingMode::kHalfEven).ToString(), " %");
}

std::string Days(std::optional<int64_t> seconds) {
  if (!seconds) return "-";
  return absl::StrFormat("%.1f days", static_cast<double>(*seconds) / 86400.0);
}

// The sales pipeline and the follow-up work at the end of the year.
absl::Status PipelineAndFollowUps(cadre::Workspace& ws, cadre::OwnershipProjection& ownership) {
  const absl::TimeZone tz = ws.time_zone();
  const cadre::Currency& currency = ws.currency();
  const absl::Time year_end = absl::FromCivil(absl::CivilSecond(2025, 12, 31, 20, 0, 0), tz);
  const absl::Time year_start = absl::FromCivil(absl::CivilSecond(2025, 1, 1, 0, 0, 0), tz);

  cadre::OpportunityProjection opportunities;
  CADRE_RETURN_IF_ERROR(opportunities.CatchUp(ws, ownership));
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Pipeline> pipelines, cadre::LoadPipelines(ws, year_end));
  CADRE_ASSIGN_OR_RETURN(cadre::OrgTree tree, cadre::OrgTree::Load(ws, year_end));
  CADRE_ASSIGN_OR_RETURN(cadre::PipelineValueReport value,
                         cadre::WeightedPipeline(opportunities, pipelines, tree, year_end));
  std::printf("Sales pipeline at %s\n", absl::FormatTime("%Y-%m-%d %H:%M %Z", year_end, tz).c_str());
  std::printf("  open opportunities           %s, expected %s, weighted %s\n", Grouped(value.total.count).c_str(),
              FormatMoney(value.total.open_minor, currency, 0).c_str(),
              FormatMoney(value.total.weighted_minor, currency, 0).c_str());
  for (const cadre::StageValue& stage : value.total.stages) {
    std::printf("    %-12s %5s open   %s expected   %s weighted (x %s)\n", stage.stage.c_str(),
                Grouped(stage.count).c_str(), FormatMoney(stage.open_minor, currency).c_str(),
                FormatMoney(stage.weighted_minor, currency).c_str(),
                stage.win_probability ? stage.win_probability->ToString().c_str() : "-");
  }
  std::printf("  weighted pipeline by region:\n");
  for (const cadre::UnitPipelineValue& unit : value.units) {
    if (unit.kind != cadre::OrgUnitKind::kRegion) continue;
    const cadre::OrgUnit* u = tree.FindUnit(unit.unit);
    std::printf("    %-24s %s   %s open\n",
                absl::StrCat(u != nullptr ? u->name : unit.unit, " (", unit.unit, ")").c_str(),
                FormatMoney(unit.value.weighted_minor, currency).c_str(), Grouped(unit.value.count).c_str());
  }
  for (const cadre::Pipeline& pipeline : pipelines) {
    CADRE_ASSIGN_OR_RETURN(cadre::ConversionReport conversion,
                           cadre::PipelineConversion(opportunities, pipeline, year_start, year_end, year_end));
    CADRE_ASSIGN_OR_RETURN(cadre::TimeInStageReport time,
                           cadre::TimeInStage(opportunities, pipeline, year_start, year_end, year_end));
    std::printf("  %s: %s opened in the year, %s won, %s lost, %s still open; win rate %s\n", pipeline.id.c_str(),
                Grouped(conversion.opened).c_str(), Grouped(conversion.won).c_str(), Grouped(conversion.lost).c_str(),
                Grouped(conversion.open).c_str(), PercentOf(conversion.win_rate).c_str());
    for (const cadre::StageConversion& stage : conversion.stages) {
      if (stage.outcome != cadre::StageOutcome::kOpen) continue;
      std::string median = "-";
      for (const cadre::StageDuration& d : time.stages)
        if (d.stage == stage.stage) median = Days(d.median_seconds);
      std::printf("    %-12s reached %5s   went on %s   median stay %s\n", stage.stage.c_str(),
                  Grouped(stage.reached).c_str(), PercentOf(stage.conversion).c_str(), median.c_str());
    }
  }
  std::printf("\n");

  cadre::FollowUpProjection tasks;
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(ws));
  CADRE_RETURN_IF_ERROR(tasks.CatchUp(ws, ownership));
  std::vector<cadre::TaskCounts> counts =
      tasks.CountsByManager(absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 1, 1), year_end, tz);
  cadre::TaskCounts all;
  const cadre::TaskCounts* busiest = nullptr;
  for (const cadre::TaskCounts& c : counts) {
    all.total += c.total;
    all.open += c.open;
    all.overdue += c.overdue;
    all.done += c.done;
    all.done_on_time += c.done_on_time;
    if (c.manager && (busiest == nullptr || c.overdue > busiest->overdue)) busiest = &c;
  }
  std::printf("Follow-ups due in 2025, at %s (days read in %s)\n",
              absl::FormatTime("%Y-%m-%d %H:%M", year_end, tz).c_str(), tz.name().c_str());
  std::printf("  tasks %s: done %s (%s on time), overdue %s, open %s\n", Grouped(all.total).c_str(),
              Grouped(all.done).c_str(), Percent(all.done_on_time, all.done).c_str(), Grouped(all.overdue).c_str(),
              Grouped(all.open).c_str());
  if (busiest != nullptr) {
    std::vector<cadre::FollowUpTask> late =
        tasks.ManagerTasks(*busiest->manager, year_end, tz, {.statuses = {cadre::TaskStatus::kOverdue}});
    std::printf("  most overdue: %s with %s; the oldest:\n", busiest->manager->c_str(),
                Grouped(busiest->overdue).c_str());
    for (std::size_t i = 0; i < late.size() && i < 3; ++i) {
      std::printf("    due %s  %-9s %s\n", cadre::FormatDay(late[i].due_on).c_str(), late[i].customer.c_str(),
                  late[i].next_step.value_or("(no next step)").c_str());
    }
  }
  std::printf("\n");
  return absl::OkStatus();
}

// ---- KPIs ---------------------------------------------------------------------------

// "CNY  1,234,567.89" from a figure's value in minor units; "-" right-aligned when
// there is none.
std::string MoneyFigure(std::optional<double> minor, const cadre::Currency& currency, int width = 14) {
  if (!minor) return absl::StrFormat("%*s", width + 4, "-");
  return FormatMoney(std::llround(*minor), currency, width);
}

// "112.3 %" from a ratio; "-" when there is none.
std::string RatioPercent(std::optional<double> ratio, int decimals = 1) {
  if (!ratio) return "-";
  return absl::StrFormat("%.*f %%", decimals, *ratio * 100);
}

// "4.31" with `decimals` places; "-" when there is none.
std::string Fixed(std::optional<double> value, int decimals) {
  if (!value) return "-";
  return absl::StrFormat("%.*f", decimals, *value);
}

// "+12.3 %" from a change ratio; "" when there is none.
std::string Change(std::optional<double> change) {
  if (!change) return "";
  return absl::StrFormat("%+.1f %%", *change * 100);
}

// The month the KPI section looks at, and its scorecard.
constexpr absl::CivilMonth kKpiMonth(2025, 11);
constexpr std::string_view kScorecard = R"({
    "id": "monthly", "name": "Monthly scorecard",
    "items": [{"metric": "net_sales", "weight": "3"}, {"metric": "orders"}, {"metric": "new_customers"},
              {"metric": "csat"}, {"metric": "return_rate"}]})";
// The metrics of kScorecard, in its order.
enum KpiColumn { kNetSales, kOrders, kNewCustomers, kCsat, kReturnRate };

// Targets for the month: net sales and orders grow 5 % on the month before
// (prorated by the days each manager was employed), csat and return rate are
// absolute. new_customers has none: it is left out of the totals.
absl::StatusOr<std::vector<cadre::Workspace::DocumentPut>> KpiTargets(const cadre::OrgTree& tree,
                                                                      const cadre::Period& month) {
  CADRE_ASSIGN_OR_RETURN(const cadre::Decimal growth, cadre::Decimal::Parse("0.05"));
  CADRE_ASSIGN_OR_RETURN(const cadre::Decimal csat, cadre::Decimal::Parse("4.2"));
  CADRE_ASSIGN_OR_RETURN(const cadre::Decimal return_rate, cadre::Decimal::Parse("0.05"));
  std::vector<cadre::Workspace::DocumentPut> puts;
  auto put = [&](std::string metric, std::optional<std::string> manager, std::optional<std::string> unit,
                 std::optional<cadre::Decimal> value) {
    cadre::Target t;
    t.id = absl::StrCat(metric, "-", month.ToString(), "-", manager ? *manager : *unit);
    t.metric = std::move(metric);
    t.manager = std::move(manager);
    t.unit = std::move(unit);
    t.period = month.ToString();
    if (value) {
      t.value = value;
    } else {
      t.basis = cadre::TargetBasis::kGrowthOverPreviousPeriod;
      t.growth = growth;
    }
    puts.push_back({std::string(cadre::Target::kCollection), t.id, cadre::json::ToText(t)});
  };
  // Money and count targets of units are the sums of their managers'; rates and
  // scores are not additive, so every unit gets its own.
  for (const cadre::Manager& m : tree.managers()) {
    put("net_sales", m.id, std::nullopt, std::nullopt);
    put("orders", m.id, std::nullopt, std::nullopt);
    put("csat", m.id, std::nullopt, csat);
    put("return_rate", m.id, std::nullopt, return_rate);
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<const cadre::OrgUnit*> units, tree.Subtree(tree.root()->id));
  for (const cadre::OrgUnit* u : units) {
    put("csat", std::nullopt, u->id, csat);
    put("return_rate", std::nullopt, u->id, return_rate);
  }
  return puts;
}

// One scorecard row: net sales against target, the other metrics, the total.
void PrintScorecardRow(const std::string& label, const cadre::ScorecardRow& row, const cadre::Currency& currency) {
  const std::vector<cadre::Figure>& f = row.figures;
  std::printf("    %-16s %s %s %8s %5s %7s %5s %5s %7s %6s\n", label.c_str(),
              MoneyFigure(f[kNetSales].value, currency).c_str(), MoneyFigure(f[kNetSales].target, currency).c_str(),
              RatioPercent(f[kNetSales].attainment).c_str(), Fixed(f[kNetSales].score, 2).c_str(),
              Grouped(f[kOrders].numerator).c_str(), Grouped(f[kNewCustomers].numerator).c_str(),
              Fixed(f[kCsat].value, 2).c_str(), RatioPercent(f[kReturnRate].value, 2).c_str(),
              Fixed(row.total, 2).c_str());
}

// KPIs for one month (November, with Double 11): a scorecard definition and
// targets written in one transaction, the scorecard of the month's top seller's
// team with its roll-ups, leaderboards, and the top seller's last three months.
absl::Status KpisAndScorecards(cadre::Workspace& ws) {
  const cadre::Currency& currency = ws.currency();
  const absl::TimeZone tz = ws.time_zone();
  const cadre::Period month = cadre::Period::Of(cadre::Granularity::kMonth, absl::CivilDay(kKpiMonth));
  CADRE_ASSIGN_OR_RETURN(cadre::OrgTree tree, cadre::OrgTree::Load(ws, month.End(tz) - absl::Nanoseconds(1)));

  CADRE_ASSIGN_OR_RETURN(cadre::ScorecardDefinition monthly,
                         cadre::json::FromText<cadre::ScorecardDefinition>(kScorecard, "scorecard"));
  std::vector<cadre::Workspace::DocumentPut> puts = {
      {std::string(cadre::ScorecardDefinition::kCollection), monthly.id, cadre::json::ToText(monthly)}};
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Workspace::DocumentPut> targets, KpiTargets(tree, month));
  puts.insert(puts.end(), targets.begin(), targets.end());
  CADRE_RETURN_IF_ERROR(ws.PutAll(puts).status());

  cadre::KpiEngine kpi(ws);
  CADRE_RETURN_IF_ERROR(kpi.CatchUp());
  CADRE_ASSIGN_OR_RETURN(cadre::Leaderboard top_sales, kpi.GetLeaderboard("net_sales", month, std::nullopt, {}, 10));
  CADRE_ASSIGN_OR_RETURN(cadre::Leaderboard top_csat, kpi.GetLeaderboard("csat", month, std::nullopt, {}, 5));
  if (top_sales.entries.empty() || !top_sales.entries.front().team) return absl::OkStatus();
  const cadre::LeaderboardEntry& best = top_sales.entries.front();
  CADRE_ASSIGN_OR_RETURN(cadre::Scorecard card, kpi.GetScorecard({.scorecard = monthly.id, .period = month}));
  CADRE_ASSIGN_OR_RETURN(std::vector<const cadre::OrgUnit*> path, tree.PathFromRoot(*best.team));

  const std::string month_name = absl::StrFormat("%s %d", MonthName(kKpiMonth.month()), kKpiMonth.year());
  std::printf("KPIs for %s (Double 11), scorecard \"%s\"\n", month_name.c_str(), monthly.id.c_str());
  std::printf("  written in one transaction   1 scorecard, %s targets\n",
              Grouped(static_cast<int64_t>(targets.size())).c_str());
  std::printf("  weights                      net_sales 3, orders 1, new_customers 1, csat 1, return_rate 1\n");
  std::printf("  targets                      net sales and orders: +5 %% on October, prorated by days employed;\n");
  std::printf("                               csat 4.20; return rate at most 5.00 %%; new customers: none\n");
  std::printf("  score = attainment within [0, 1.5]; total = weighted mean of the scores there are\n");
  const cadre::OrgUnit* team = path.back();
  std::printf("  team %s (%s), the team of the month's top seller:\n", team->id.c_str(), team->name.c_str());
  std::printf("    %-16s %18s %18s %8s %5s %7s %5s %5s %7s %6s\n", "", "net sales", "target", "attain.", "score",
              "orders", "new", "csat", "returns", "total");
  for (const cadre::ScorecardRow& row : card.managers)
    if (row.team == team->id) PrintScorecardRow(row.subject, row, currency);
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    for (const cadre::ScorecardRow& row : card.units) {
      if (row.subject != (*it)->id) continue;
      PrintScorecardRow(absl::StrCat(row.subject, " (", std::string(cadre::json::EnumName((*it)->kind)), ")"), row,
                        currency);
    }
  }

  // The leaderboard does not compare with the month before; the scorecard does.
  std::map<std::string, const cadre::Figure*> net_sales_of;
  for (const cadre::ScorecardRow& row : card.managers) net_sales_of[row.subject] = &row.figures[kNetSales];
  std::printf("  top 10 by net sales (leaderboard, company)\n");
  for (const cadre::LeaderboardEntry& e : top_sales.entries) {
    auto it = net_sales_of.find(e.manager);
    std::printf("    %2d. %-6s %-8s %s   %s on October\n", e.rank, e.manager.c_str(), e.team.value_or("").c_str(),
                MoneyFigure(e.figure.value, currency).c_str(),
                Change(it != net_sales_of.end() ? it->second->change : std::nullopt).c_str());
  }
  std::printf("  top 5 by csat (leaderboard, company; equal values share a rank)\n");
  for (const cadre::LeaderboardEntry& e : top_csat.entries) {
    std::printf("    %2d. %-6s %-8s %s from %s %s\n", e.rank, e.manager.c_str(), e.team.value_or("").c_str(),
                Fixed(e.figure.value, 2).c_str(), Grouped(e.figure.denominator).c_str(),
                e.figure.denominator == 1 ? "response" : "responses");
  }

  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::SeriesPoint> series,
                         kpi.GetTimeSeries("net_sales", best.manager, false, month.Previous().Previous(), 3));
  std::printf("  net sales of %s, three months (series)\n", best.manager.c_str());
  std::optional<double> previous;
  for (const cadre::SeriesPoint& p : series) {
    std::optional<double> change;
    if (previous && p.figure.value && *previous != 0) change = *p.figure.value / *previous - 1;
    std::printf("    %-8s %s%s\n", p.period.c_str(), MoneyFigure(p.figure.value, currency).c_str(),
                change ? absl::StrCat("   ", Change(change)).c_str() : "");
    previous = p.figure.value;
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::LineageEntry> lineage, kpi.Lineage("net_sales", best.manager, month));
  int64_t sales = 0, returns = 0, sum = 0;
  for (const cadre::LineageEntry& e : lineage) {
    (e.kind == cadre::EventKind::kSale ? sales : returns) += 1;
    sum += e.contribution;
  }
  std::printf("  lineage of %s's %s net sales: %s sales and %s returns adding up to %s\n", best.manager.c_str(),
              MonthName(kKpiMonth.month()), Grouped(sales).c_str(), Grouped(returns).c_str(),
              FormatMoney(sum, currency, 0).c_str());
  std::printf("\n");
  return absl::OkStatus();
}

// ---- SOPs, complaints and the day's work --------------------------------------------

// The service desk's hours: weekdays 09:00-18:00 and Saturday mornings, National
// Day off (1-8 October 2025) with its two make-up working days.
constexpr std::string_view kDeskCalendar = R"({
  "name": "Service desk",
  "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"},
            {"days": ["sat"], "from": "10:00", "to": "14:00"}],
  "holidays": [{"on": "2025-01-01", "name": "New Year"},
               {"from": "2025-10-01", "to": "2025-10-08", "name": "National Day"}],
  "working_days": [{"on": "2025-09-28", "like": "mon"}, {"on": "2025-10-11", "like": "fri"}]})";

// Complaints: answer within 4 desk hours (warned an hour before; the lead is told
// at the breach, and the case is raised a level 4 hours later), resolve within 3
// desk days of the answer.
constexpr std::string_view kComplaintSop = R"({
  "name": "Customer complaint", "calendar": "desk",
  "trigger": {"on": "case_opened", "categories": ["complaint"]},
  "steps": [
    {"id": "respond", "name": "Answer the customer", "role": "owner",
     "within": {"business_hours": 4}, "warn_before": {"business_hours": 1},
     "completed_by": {"case_stage": "responded"},
     "escalations": [{"after": {"business_hours": 0}, "action": "notify_lead"},
                     {"after": {"business_hours": 4}, "action": "raise_severity"}]},
    {"id": "resolve", "name": "Resolve the complaint", "role": "owner",
     "within": {"business_hours": 27}, "warn_before": {"business_hours": 4},
     "completed_by": {"case_stage": "resolved"},
     "escalations": [{"after": {"business_hours": 0}, "action": "notify_lead"}]}]})";

// Onboarding of a customer handed to a new owner: a call within 2 days, a visit
// within 14. In force from the fourth quarter on.
constexpr std::string_view kOnboardingSop = R"({
  "name": "New customer onboarding",
  "trigger": {"on": "customer_assigned"},
  "steps": [
    {"id": "first_contact", "name": "First contact", "role": "owner", "within": {"days": 2},
     "completed_by": {"interaction": {}},
     "escalations": [{"after": {"days": 1}, "action": "notify_lead"}]},
    {"id": "welcome_visit", "name": "Welcome visit", "role": "owner", "after": [], "within": {"days": 14},
     "completed_by": {"interaction": {"channel": "visit"}}}]})";

// The complaint service levels the SOP works to, as case targets in desk
// minutes from the opening: an answer within 4 hours, a resolution within the
// 4 + 27 hours the two steps allow.
constexpr std::string_view kComplaintSla = R"({
  "category": "complaint", "first_response": {"business_minutes": 240}, "resolution": {"business_minutes": 1860}})";

// Writes the desk calendar, the complaint targets and the two SOPs (one transaction).
absl::Status PutSops(cadre::Workspace& ws, const absl::TimeZone& tz) {
  std::vector<cadre::Workspace::DocumentPut> puts;
  puts.push_back({.collection = "calendars", .id = "desk", .body = std::string(kDeskCalendar)});
  puts.push_back({.collection = "case_slas", .id = "complaint", .body = std::string(kComplaintSla)});
  puts.push_back({.collection = "sops", .id = "complaint", .body = std::string(kComplaintSop)});
  cadre::Workspace::DocumentPut onboarding{
      .collection = "sops", .id = "onboarding", .body = std::string(kOnboardingSop)};
  onboarding.options.effective_from = absl::FromCivil(absl::CivilDay(2025, 10, 1), tz);
  puts.push_back(std::move(onboarding));
  return ws.PutAll(puts).status();
}

std::string Clock(absl::Time t, const absl::TimeZone& tz) { return absl::FormatTime("%m-%d %H:%M", t, tz); }

// "72.4 min" (one decimal, half-even), or "-" without a value.
std::string Minutes(const std::optional<cadre::Decimal>& minutes) {
  if (!minutes) return "-";
  return absl::StrCat(minutes->Round(1, cadre::RoundingMode::kHalfEven).ToString(), " min");
}

// One team's complaint figures for the fourth quarter, through the case_figures
// query (as a host would ask): volume, time to first response and to resolve in
// desk hours, the shares within the case targets, reopenings, root causes.
absl::Status TeamCaseFigures(const cadre::Workspace& ws, const std::string& team, absl::Time now) {
  cadre::QueryEngine queries(ws);
  CADRE_ASSIGN_OR_RETURN(
      std::string text,
      queries.Run(absl::StrCat(R"({"viewer":{"admin":true},"query":"case_figures","from":"2025-10-01",)",
                               R"("until":"2026-01-01","calendar":"desk","type":"complaint","unit":")", team,
                               R"(","as_of":")", cadre::FormatInstant(now), R"("})")));
  CADRE_ASSIGN_OR_RETURN(cadre::CaseReport report, cadre::json::FromText<cadre::CaseReport>(text));
  const cadre::CaseFigures* f = nullptr;
  for (const cadre::CaseFigures& u : report.units)
    if (u.unit == team) f = &u;
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("case_figures gave no row for team ", team));
  std::printf("  team %s, fourth quarter complaints (case_figures, desk hours): %s opened, %s resolved, %s open\n",
              team.c_str(), Grouped(f->complaints).c_str(), Grouped(f->resolved).c_str(), Grouped(f->open).c_str());
  std::printf("    first response  avg %s, median %s (%s answered); within 4 h: %s of %s (%s)\n",
              Minutes(f->first_response.average_minutes).c_str(), Minutes(f->first_response.median_minutes).c_str(),
              Grouped(f->first_response.count).c_str(), Grouped(f->responded_in_sla).c_str(),
              Grouped(f->responded_in_sla + f->response_late).c_str(),
              Percent(f->responded_in_sla, f->responded_in_sla + f->response_late).c_str());
  const int64_t judged = f->resolved_in_sla + f->resolved_late + f->breached_open;
  std::printf("    resolution      avg %s, median %s; within SLA: %s of %s (%s); reopen rate %s of %s (%s)\n",
              Minutes(f->resolution.average_minutes).c_str(), Minutes(f->resolution.median_minutes).c_str(),
              Grouped(f->resolved_in_sla).c_str(), Grouped(judged).c_str(), Percent(f->resolved_in_sla, judged).c_str(),
              Grouped(f->reopened).c_str(), Grouped(f->resolved_once).c_str(),
              Percent(f->reopened, f->resolved_once).c_str());
  std::vector<cadre::CaseCount> causes = f->root_causes;
  std::stable_sort(causes.begin(), causes.end(),
                   [](const cadre::CaseCount& a, const cadre::CaseCount& b) { return a.count > b.count; });
  if (causes.size() > 3) causes.resize(3);
  std::printf("    top root causes %s\n", absl::StrJoin(causes, ", ", [](std::string* out, const cadre::CaseCount& c) {
                                            absl::StrAppend(out, c.key, " ", Grouped(c.count));
                                          }).c_str());
  return absl::OkStatus();
}

// The SOP engine over the year: instances, the complaint steps' service levels
// for the whole company and for one team, escalations recorded (twice, to show
// they fire once), and one manager's list for the last afternoon of the year.
absl::Status SopsAndToday(cadre::Workspace& ws) {
  const absl::TimeZone tz = ws.time_zone();
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 12, 31, 15, 0, 0), tz);
  cadre::SopEngine sops(ws);
  CADRE_RETURN_IF_ERROR(sops.CatchUp());
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::SopInstanceView> all, sops.Instances({}, now));
  std::map<std::string, std::map<cadre::SopInstanceStatus, int64_t>> by_sop;
  // Per step of the complaint SOP: met, missed (completed late or breached), open in time.
  std::map<std::string, std::map<cadre::SopStepStatus, int64_t>> steps;
  std::map<std::string, int64_t> open_steps;  // per responsible manager
  int64_t critical = 0;
  for (const cadre::SopInstanceView& v : all) {
    ++by_sop[v.sop][v.status];
    if (v.sop == "complaint" && v.severity == cadre::Severity::kCritical) ++critical;
    for (const cadre::SopStepState& st : v.steps) {
      if (v.sop == "complaint") ++steps[st.step][st.status];
      const bool open = st.status == cadre::SopStepStatus::kRunning || st.status == cadre::SopStepStatus::kWarning ||
                        st.status == cadre::SopStepStatus::kBreached || st.status == cadre::SopStepStatus::kPaused;
      if (open && st.responsible) ++open_steps[*st.responsible];
    }
  }
  std::printf("SOPs at %s (desk calendar: weekdays 09-18, Saturday 10-14, National Day off)\n",
              absl::FormatTime("%Y-%m-%d %H:%M", now, tz).c_str());
  for (const auto& [sop, counts] : by_sop) {
    auto n = [&](cadre::SopInstanceStatus s) {
      auto it = counts.find(s);
      return it == counts.end() ? int64_t{0} : it->second;
    };
    std::printf("  %-12s %7s instances: %s open, %s completed, %s cancelled\n", sop.c_str(),
                Grouped(n(cadre::SopInstanceStatus::kOpen) + n(cadre::SopInstanceStatus::kCompleted) +
                        n(cadre::SopInstanceStatus::kCancelled))
                    .c_str(),
                Grouped(n(cadre::SopInstanceStatus::kOpen)).c_str(),
                Grouped(n(cadre::SopInstanceStatus::kCompleted)).c_str(),
                Grouped(n(cadre::SopInstanceStatus::kCancelled)).c_str());
  }
  std::printf("  complaint steps (met on time / missed / still open):\n");
  for (const auto& [step, counts] : steps) {
    auto n = [&](cadre::SopStepStatus s) {
      auto it = counts.find(s);
      return it == counts.end() ? int64_t{0} : it->second;
    };
    const int64_t met = n(cadre::SopStepStatus::kMet), missed = n(cadre::SopStepStatus::kMissed);
    const int64_t open = n(cadre::SopStepStatus::kRunning) + n(cadre::SopStepStatus::kWarning) +
                         n(cadre::SopStepStatus::kBreached) + n(cadre::SopStepStatus::kPaused);
    std::printf("    %-10s %6s met, %6s missed, %4s open   on time %s\n", step.c_str(), Grouped(met).c_str(),
                Grouped(missed).c_str(), Grouped(open).c_str(), Percent(met, met + missed).c_str());
  }

  // Escalations: due now, recorded once however often the host asks.
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Event> first, sops.RecordEscalations(ws, now));
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Event> again, sops.RecordEscalations(ws, now));
  std::map<std::string, int64_t> actions;
  for (const cadre::Event& e : first) ++actions[e.category.value_or("?")];
  std::printf("  escalations recorded: %s (%s), asked again: %s more\n",
              Grouped(static_cast<int64_t>(first.size())).c_str(),
              absl::StrJoin(actions, ", ",
                            [](std::string* out, const auto& a) { absl::StrAppend(out, a.first, " ", a.second); })
                  .c_str(),
              Grouped(static_cast<int64_t>(again.size())).c_str());
  std::printf("  complaints now critical: %s\n", Grouped(critical).c_str());

  // The team of the manager with the most open steps: its SLA figures for the
  // fourth quarter, and that manager's list for the afternoon.
  if (open_steps.empty()) return absl::OkStatus();
  auto busiest = std::max_element(open_steps.begin(), open_steps.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::string manager = busiest->first;
  CADRE_ASSIGN_OR_RETURN(cadre::OrgTree tree, cadre::OrgTree::Load(ws, now));
  const cadre::Manager* m = tree.FindManager(manager);
  if (m == nullptr) return absl::NotFoundError(absl::StrCat("manager ", manager, " is not in the org tree"));
  std::vector<std::string> team;
  CADRE_ASSIGN_OR_RETURN(std::vector<const cadre::Manager*> members, tree.ManagersIn(m->team));
  for (const cadre::Manager* member : members) team.push_back(member->id);
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::SopOnTimeRow> on_time,
                         sops.SopOnTime(absl::FromCivil(absl::CivilDay(2025, 10, 1), tz),
                                        absl::FromCivil(absl::CivilDay(2026, 1, 1), tz), now));
  int64_t team_met = 0, team_due = 0;
  for (const cadre::SopOnTimeRow& r : on_time) {
    if (std::find(team.begin(), team.end(), r.manager) == team.end()) continue;
    team_met += r.met;
    team_due += r.due;
  }
  std::printf("  team %s, fourth quarter: %s of %s SOP steps on time (%s)\n", m->team.c_str(),
              Grouped(team_met).c_str(), Grouped(team_due).c_str(), Percent(team_met, team_due).c_str());
  CADRE_RETURN_IF_ERROR(TeamCaseFigures(ws, m->team, now));
  std::printf("\n");

  cadre::OwnershipProjection ownership;
  cadre::FollowUpProjection tasks;
  cadre::TrainingProjection training;
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(ws));
  CADRE_RETURN_IF_ERROR(tasks.CatchUp(ws, ownership));
  CADRE_RETURN_IF_ERROR(training.CatchUp(ws));
  CADRE_ASSIGN_OR_RETURN(cadre::TodayList today, cadre::BuildTodayList(ws, sops, tasks, training, manager, now));
  std::map<cadre::TodayKind, int64_t> kinds;
  for (const cadre::TodayItem& item : today.items) ++kinds[item.kind];
  std::printf("Today for %s (%s): %s SOP steps, %s follow-ups, %s certifications; the first 8 by urgency\n",
              manager.c_str(), absl::FormatTime("%Y-%m-%d %H:%M", now, tz).c_str(),
              Grouped(kinds[cadre::TodayKind::kSopStep]).c_str(), Grouped(kinds[cadre::TodayKind::kFollowUp]).c_str(),
              Grouped(kinds[cadre::TodayKind::kCertification]).c_str());
  for (std::size_t i = 0; i < today.items.size() && i < 8; ++i) {
    const cadre::TodayItem& item = today.items[i];
    std::printf("  %-9s %-22s %-11s due %s  %s\n", std::string(cadre::json::EnumName(item.urgency)).c_str(),
                item.what.c_str(), item.case_ref ? item.case_ref->c_str() : item.customer.value_or("").c_str(),
                item.due_at ? Clock(*item.due_at, tz).c_str() : "-----------", item.why.c_str());
  }
  std::printf("\n");
  return absl::OkStatus();
}

// ---- Incentives: plans, a statement with its trace, a close, promotion -------------

// Account managers: 2 / 3 / 5 % of net sales marginally against a CNY 100,000
// monthly quota, the accelerator withheld below a 3.5 CSAT, returns within 30
// days clawed back, a Double 11 SPIFF, a recoverable CNY 3,000 draw.
constexpr std::string_view kAmPlan = R"({
  "id":"am-2025","name":"Account managers 2025","period":"month",
  "components":[
    {"id":"commission","type":"commission",
     "commission":{"quota_minor":10000000,"method":"marginal",
                   "tiers":[{"from":"0","rate":"0.02"},{"from":"0.8","rate":"0.03"},{"from":"1.2","rate":"0.05"}],
                   "clawback":{"window_days":30}},
     "gates":[{"id":"csat","when":"metric_below","metric":"csat","value":"3.5",
               "action":"cap_attainment","attainment_cap":"1.2"}]},
    {"id":"double11","type":"spiff",
     "spiff":{"amount_minor":5000,"from":"2025-11-01","to":"2025-11-11","min_amount_minor":200000}}],
  "draw":{"kind":"recoverable","amount_minor":300000},
  "rounding":{"mode":"half_even","scope":"line"}})";
// Team leads: 0.5 % of their teams' net sales, on top of the managers' own.
constexpr std::string_view kLeadPlan = R"({
  "id":"lead-2025","name":"Team leads 2025","period":"month",
  "components":[{"id":"overlay","type":"commission",
                 "commission":{"credit":"overlay","tiers":[{"from":"0","rate":"0.005"}]}}]})";
// Promotion: tenure and net-sales attainment (the KPI targets) in the last month.
constexpr std::string_view kLadder = R"({
  "id":"am-ladder","name":"Account manager ladder","roles":["account_manager"],
  "levels":[
    {"level":1,"name":"Account manager","promotion":{"tenure":{"months":12},
      "attainment":[{"metric":"net_sales","at_least":"1","periods":1,"of_last":1}]}},
    {"level":2,"name":"Senior account manager","promotion":{"tenure":{"months":36},
      "attainment":[{"metric":"net_sales","at_least":"1.1","periods":1,"of_last":1}]}},
    {"level":3,"name":"Principal account manager","promotion":{"tenure":{"months":60},
      "attainment":[{"metric":"net_sales","at_least":"1.2","periods":1,"of_last":1}]}},
    {"level":4,"name":"Key account manager","promotion":{"tenure":{"months":84},
      "attainment":[{"metric":"net_sales","at_least":"1.3","periods":1,"of_last":1}]}},
    {"level":5,"name":"Senior key account manager"}]})";

// Exact decimal text of minor units ("26775875", "1234.5", "13333.3~") as money:
// the cents, then any further exact digits.
std::string ExactMoney(const std::string& minor_text, const cadre::Currency& currency) {
  std::string text = minor_text;
  const bool approx = !text.empty() && text.back() == '~';
  if (approx) text.pop_back();
  const std::size_t dot = text.find('.');
  int64_t whole = 0;
  if (!absl::SimpleAtoi(text.substr(0, dot), &whole)) return minor_text;
  std::string out = FormatMoney(whole, currency, 0);
  if (dot != std::string::npos) out += text.substr(dot + 1);
  if (approx) out += "~";
  return out;
}

absl::Status IncentivesAndPromotion(cadre::Workspace& ws) {
  const cadre::Currency& currency = ws.currency();
  const cadre::Period november = cadre::Period::Of(cadre::Granularity::kMonth, absl::CivilDay(2025, 11, 1));
  CADRE_ASSIGN_OR_RETURN(cadre::OrgTree tree, cadre::OrgTree::Load(ws));
  std::vector<cadre::Workspace::DocumentPut> puts = {
      {"incentive_plans", "am-2025", std::string(kAmPlan), {}},
      {"incentive_plans", "lead-2025", std::string(kLeadPlan), {}},
      {"plan_assignments", "all", R"({"plan":"am-2025","unit":")" + tree.root()->id + R"("})", {}},
      {"career_ladders", "am-ladder", std::string(kLadder), {}}};
  for (const cadre::Manager* lead : tree.Leads()) {
    puts.push_back(
        {"plan_assignments", "lead-" + lead->id, R"({"plan":"lead-2025","manager":")" + lead->id + R"("})", {}});
  }
  CADRE_RETURN_IF_ERROR(ws.PutAll(puts).status());

  // One KPI engine for the csat gate and the promotion criteria.
  absl::Time t0 = absl::Now();
  cadre::KpiEngine kpi(ws);
  CADRE_RETURN_IF_ERROR(kpi.CatchUp());
  const absl::Duration kpi_catch_up = absl::Now() - t0;
  cadre::IncentiveEngine incentives(ws, &kpi);
  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(incentives.CatchUp());
  const absl::Duration catch_up = absl::Now() - t0;
  t0 = absl::Now();
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Statement> all, incentives.GetStatements(november));
  const absl::Duration statements_time = absl::Now() - t0;
  int64_t payable = 0;
  std::string manager;  // the best-paid account manager of the month (leads are on another plan)
  int64_t best = INT64_MIN;
  for (const cadre::Statement& st : all) {
    payable += st.total_minor;
    const cadre::Manager* m = tree.FindManager(st.manager);
    if (m != nullptr && m->role == "account_manager" && st.total_minor > best) {
      best = st.total_minor;
      manager = st.manager;
    }
  }
  if (manager.empty()) return absl::OkStatus();
  std::printf("Incentives for November 2025 (plans am-2025 and lead-2025; docs/incentives.md)\n");
  std::printf("  am-2025     2 / 3 / 5 %% of net sales from 0 / 80 / 120 %% of a CNY 100,000.00 quota (marginal),\n");
  std::printf("              accelerator capped below a 3.5 csat, 30-day clawback, Double 11 SPIFF CNY 50.00 per\n");
  std::printf("              sale of CNY 2,000.00 or more (1-11 Nov), recoverable draw CNY 3,000.00\n");
  std::printf("  lead-2025   0.5 %% overlay on the teams they lead (%s leads)\n",
              Grouped(static_cast<int64_t>(tree.Leads().size())).c_str());
  std::printf("  statements  %s managers, %s payable\n", Grouped(static_cast<int64_t>(all.size())).c_str(),
              FormatMoney(payable, currency, 0).c_str());
  std::printf("              (credit ledger: %s credits caught up in %.2f s; KPI engine for the gate: %.2f s;\n",
              Grouped(static_cast<int64_t>(incentives.credit_count())).c_str(), absl::ToDoubleSeconds(catch_up),
              absl::ToDoubleSeconds(kpi_catch_up));
  std::printf("              the statements, with every month since January their draws carry from: %.0f ms)\n",
              absl::ToDoubleMilliseconds(statements_time));

  CADRE_ASSIGN_OR_RETURN(cadre::Statement st, incentives.GetStatement(manager, november, {.expand_credits = true}));
  std::printf("  statement of %s for %s, every line with its trace\n", manager.c_str(), st.period.c_str());
  for (const cadre::StatementLine& line : st.lines) {
    std::printf("    %-22s %-13s base %s   pays %s\n", line.id.c_str(),
                std::string(cadre::json::EnumName(line.kind)).c_str(),
                line.kind == cadre::LineKind::kSpiff ? line.base.c_str() : ExactMoney(line.base, currency).c_str(),
                FormatMoney(line.amount_minor, currency, 0).c_str());
    const cadre::LineTrace& t = line.trace;
    if (t.attainment) {
      std::printf("      quota %s, attainment %s\n", ExactMoney(t.quota.value_or("0"), currency).c_str(),
                  t.attainment->c_str());
    }
    for (const cadre::TierTrace& tier : t.tiers) {
      std::printf("      tier %d from %s: %s × %s = %s\n", tier.tier, tier.from.ToString().c_str(),
                  ExactMoney(tier.base, currency).c_str(), tier.rate ? tier.rate->ToString().c_str() : "-",
                  ExactMoney(tier.amount, currency).c_str());
    }
    for (const cadre::GateTrace& g : t.gates) {
      std::printf("      gate %s: %s %s against %s: %s\n", g.gate.c_str(), g.metric.value_or("").c_str(),
                  g.actual.value_or("no value").c_str(), g.value ? g.value->ToString().c_str() : "-",
                  g.fired ? g.effect.c_str() : "not fired");
    }
    for (std::size_t i = 0; i < t.notes.size() && i < 2; ++i) std::printf("      %s\n", t.notes[i].c_str());
    if (!t.credits.empty()) {
      std::map<std::string, int> via;
      for (const cadre::CreditTrace& c : t.credits) ++via[c.via];
      std::string how;
      for (const auto& [name, n] : via) absl::StrAppend(&how, how.empty() ? "" : ", ", n, " ", name);
      const cadre::CreditTrace& first = t.credits.front();
      std::printf("      %s credits (%s); first %s %s %s\n", Grouped(static_cast<int64_t>(t.credits.size())).c_str(),
                  how.c_str(), first.event.c_str(),
                  absl::FormatTime("%Y-%m-%d", first.occurred_at, ws.time_zone()).c_str(),
                  FormatMoney(first.amount_minor, currency, 0).c_str());
    }
  }
  std::printf("    total %s (exact %s; %s)\n", FormatMoney(st.total_minor, currency, 0).c_str(),
              ExactMoney(st.exact_total, currency).c_str(), st.notes.empty() ? "" : st.notes.front().c_str());

  // Close October, then log a sale for October that arrives late: October's
  // statement stays as it was; November pays the difference.
  const cadre::Period october = november.Previous();
  CADRE_ASSIGN_OR_RETURN(cadre::IncentivePeriod closed,
                         incentives.ClosePeriod(ws, october, "finance", "October payroll"));
  CADRE_ASSIGN_OR_RETURN(cadre::Statement october_before, incentives.GetStatement(manager, october));
  cadre::Event late;
  late.id = "LATE-OCT-1";
  late.kind = cadre::EventKind::kSale;
  late.occurred_at = absl::FromCivil(absl::CivilSecond(2025, 10, 30, 16, 0, 0), ws.time_zone());
  late.manager = manager;
  late.customer = "C-WALK-IN";
  late.amount_minor = 100000;
  CADRE_RETURN_IF_ERROR(ws.Ingest(std::vector<cadre::Event>{late}).status());
  CADRE_ASSIGN_OR_RETURN(cadre::Statement october_after, incentives.GetStatement(manager, october));
  CADRE_ASSIGN_OR_RETURN(cadre::Statement november_after, incentives.GetStatement(manager, november));
  std::printf("  October closed by %s (log mark %s); a late October sale of %s by %s arrives:\n", closed.by.c_str(),
              Grouped(static_cast<int64_t>(closed.through_seq)).c_str(),
              FormatMoney(*late.amount_minor, currency, 0).c_str(), manager.c_str());
  std::printf("    October statement unchanged: %s (%s)\n", october_after == october_before ? "yes" : "NO",
              FormatMoney(october_after.total_minor, currency, 0).c_str());
  for (const cadre::StatementLine& line : november_after.lines) {
    if (line.kind != cadre::LineKind::kAdjustment) continue;
    std::printf("    November adjustment %s: %s (%s)\n", line.id.c_str(),
                FormatMoney(line.amount_minor, currency, 0).c_str(), line.trace.notes.back().c_str());
  }
  std::printf("    November total now %s\n", FormatMoney(november_after.total_minor, currency, 0).c_str());

  // What-if: the same plan with a 4 % top tier instead of 5 %.
  CADRE_ASSIGN_OR_RETURN(cadre::IncentivePlan candidate, cadre::json::FromText<cadre::IncentivePlan>(kAmPlan, "plan"));
  candidate.id = "am-2025-flatter";
  CADRE_ASSIGN_OR_RETURN(candidate.components[0].commission->tiers[2].rate, cadre::Decimal::Parse("0.04"));
  CADRE_ASSIGN_OR_RETURN(
      cadre::WhatIfReport what_if,
      incentives.WhatIf({.plan = "am-2025", .candidate = candidate, .first = october, .periods = 2, .top = 3}));
  std::printf("  what-if, top tier 4 %% instead of 5 %% (October and November, recomputed as if open):\n");
  std::printf("    %s managers: %s now, %s with the candidate (%s, %s)\n", Grouped(what_if.managers_compared).c_str(),
              FormatMoney(what_if.current_minor, currency, 0).c_str(),
              FormatMoney(what_if.candidate_minor, currency, 0).c_str(),
              FormatMoney(what_if.change_minor, currency, 0).c_str(),
              what_if.change_ratio ? PercentOf(what_if.change_ratio).c_str() : "-");
  for (const cadre::WhatIfManager& m : what_if.losers) {
    std::printf("    loses most  %-6s %s -> %s\n", m.manager.c_str(), FormatMoney(m.current_minor, currency, 0).c_str(),
                FormatMoney(m.candidate_minor, currency, 0).c_str());
  }

  // Promotion eligibility on the first day of December.
  CADRE_RETURN_IF_ERROR(kpi.CatchUp());
  CADRE_ASSIGN_OR_RETURN(cadre::PromotionEligibility eligibility,
                         cadre::BuildPromotionEligibility(ws, kpi, {.as_of = absl::CivilDay(2025, 12, 1)}));
  int on_ladder = 0;
  std::map<int, std::pair<int, int>> by_level;  // level -> (qualify, on it)
  for (const cadre::PromotionCandidate& c : eligibility.managers) {
    if (!c.ladder || c.status == cadre::PromotionStatus::kNoLadder) continue;
    ++on_ladder;
    ++by_level[c.level].second;
    if (c.qualifies) ++by_level[c.level].first;
  }
  std::printf("Promotion eligibility as of 2025-12-01 (ladder am-ladder: tenure, November net-sales attainment)\n");
  std::printf("  %s of %s account managers qualify;",
              Grouped(static_cast<int64_t>(eligibility.qualifying.size())).c_str(), Grouped(on_ladder).c_str());
  for (const auto& [level, counts] : by_level) std::printf(" level %d: %d of %d;", level, counts.first, counts.second);
  std::printf("\n");
  int shown_yes = 0, shown_no = 0;
  for (const cadre::PromotionCandidate& c : eligibility.managers) {
    if (c.qualifies && shown_yes < 4) {
      ++shown_yes;
      std::printf("    %-6s level %d -> %d (%s): qualifies\n", c.manager.c_str(), c.level, c.next_level.value_or(0),
                  c.next_level_name.value_or("").c_str());
    } else if (c.status == cadre::PromotionStatus::kNotYet && shown_no < 4) {
      ++shown_no;
      std::string missing;
      for (const cadre::CriterionCheck& k : c.criteria) {
        if (!k.met) absl::StrAppend(&missing, missing.empty() ? "" : "; ", k.explanation);
      }
      std::printf("    %-6s level %d -> %d: not yet: %s\n", c.manager.c_str(), c.level, c.next_level.value_or(0),
                  missing.c_str());
    }
  }
  std::printf("\n");
  return absl::OkStatus();
}

absl::Status Run(const std::string& path) {
  RemoveIfPresent(path);
  const std::string uri = "sqlite:" + path;
  CADRE_ASSIGN_OR_RETURN(std::unique_ptr<cadre::Workspace> ws,
                         cadre::Workspace::Open(uri, {.currency = "CNY", .time_zone = "Asia/Shanghai"}));
  const cadre::Currency& currency = ws->currency();
  const absl::TimeZone tz = ws->time_zone();

  // ---- Generate and load --------------------------------------------------------
  cadre::SynthOptions options;
  options.complaints_per_mille = 10;  // 1 % of sales lead to a complaint case
  absl::Time t0 = absl::Now();
  cadre::SynthDataset data = cadre::GenerateRetail(options);
  const absl::Duration generate_time = absl::Now() - t0;
  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(PutSops(*ws, tz));
  CADRE_RETURN_IF_ERROR(cadre::LoadDataset(*ws, data));
  const absl::Duration load_time = absl::Now() - t0;
  const std::size_t generated_events = data.events.size();
  data = {};  // from here on, everything is read back from the workspace

  // ---- Read back the organisation ---------------------------------------------------
  std::map<cadre::OrgUnitKind, int> units;
  std::map<std::string, std::string> parent_of, name_of;
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Document> org_docs, ws->List("org_units"));
  for (const cadre::Document& doc : org_docs) {
    CADRE_ASSIGN_OR_RETURN(cadre::OrgUnit unit, cadre::json::FromText<cadre::OrgUnit>(doc.body, doc.id));
    ++units[unit.kind];
    if (unit.parent) parent_of[unit.id] = *unit.parent;
    name_of[unit.id] = unit.name;
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Document> manager_docs, ws->List("managers"));
  CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Document> customer_docs, ws->List("customers"));
  absl::flat_hash_map<std::string, std::string> customer_region;
  for (const cadre::Document& doc : customer_docs) {
    CADRE_ASSIGN_OR_RETURN(cadre::Customer c, cadre::json::FromText<cadre::Customer>(doc.body, doc.id));
    if (c.home_store) customer_region[c.id] = parent_of[*c.home_store];
  }

  // ---- Read back the event log ----------------------------------------------------------
  Figures f;
  absl::flat_hash_map<std::string, std::string> sale_region;  // returns count against the sale's region
  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(ws->ScanEvents({}, [&](const cadre::StoredEvent& stored) {
    const cadre::Event& e = stored.event;
    ++f.count[e.kind];
    const std::string region = e.customer ? customer_region[*e.customer] : std::string();
    if (e.kind == cadre::EventKind::kSale) {
      const int64_t amount = e.amount_minor.value_or(0);
      f.gross += amount;
      f.region_net[region] += amount;
      const absl::CivilDay day = absl::ToCivilDay(e.occurred_at, tz);
      auto& m = f.month_sales[absl::CivilMonth(day)];
      m.first += amount;
      m.second += 1;
      auto& d = f.day_sales[day];
      d.first += amount;
      d.second += 1;
    } else if (e.kind == cadre::EventKind::kReturn) {
      const int64_t amount = e.amount_minor.value_or(0);
      f.returns += amount;
      f.region_net[region] -= amount;
    }
    return true;
  }));
  const absl::Duration scan_time = absl::Now() - t0;
  int64_t total_events = 0;
  for (const auto& [kind, n] : f.count) total_events += n;
  if (static_cast<std::size_t>(total_events) != generated_events) {
    return absl::InternalError(
        absl::StrCat("the workspace holds ", total_events, " events but ", generated_events, " were loaded"));
  }

  // ---- Print -------------------------------------------------------------------------------
  std::printf("cadre retail demo: %s (%s, %s)\n\n", uri.c_str(), std::string(currency.code()).c_str(),
              tz.name().c_str());

  std::printf("Organisation (read back from the workspace)\n");
  std::printf("  %-12s %10s\n", "regions", Grouped(units[cadre::OrgUnitKind::kRegion]).c_str());
  std::printf("  %-12s %10s\n", "stores", Grouped(units[cadre::OrgUnitKind::kStore]).c_str());
  std::printf("  %-12s %10s\n", "teams", Grouped(units[cadre::OrgUnitKind::kTeam]).c_str());
  std::printf("  %-12s %10s\n", "managers", Grouped(static_cast<int64_t>(manager_docs.size())).c_str());
  std::printf("  %-12s %10s\n\n", "customers", Grouped(static_cast<int64_t>(customer_docs.size())).c_str());

  std::printf("Events by kind\n");
  for (const auto& [kind, n] : f.count)
    std::printf("  %-15s %10s\n", std::string(cadre::json::EnumName(kind)).c_str(), Grouped(n).c_str());
  std::printf("  %-15s %10s\n\n", "total", Grouped(total_events).c_str());

  const int64_t sales = f.count[cadre::EventKind::kSale];
  const int64_t returns = f.count[cadre::EventKind::kReturn];
  std::printf("Sales\n");
  std::printf("  %-12s %s   %s sales\n", "gross", FormatMoney(f.gross, currency).c_str(), Grouped(sales).c_str());
  std::printf("  %-12s %s   %s returns, %s of sales, %s of gross\n", "returns",
              FormatMoney(f.returns, currency).c_str(), Grouped(returns).c_str(), Percent(returns, sales).c_str(),
              Percent(f.returns, f.gross).c_str());
  std::printf("  %-12s %s\n\n", "net", FormatMoney(f.gross - f.returns, currency).c_str());

  std::vector<std::pair<int64_t, std::string>> regions;
  for (const auto& [id, net] : f.region_net) regions.emplace_back(net, id);
  std::sort(regions.begin(), regions.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::printf("Top regions by net sales\n");
  for (std::size_t i = 0; i < regions.size() && i < 3; ++i) {
    const std::string label = absl::StrCat(i + 1, ". ", name_of[regions[i].second], " (", regions[i].second, ")");
    std::printf("  %-24s %s   %s of net\n", label.c_str(), FormatMoney(regions[i].first, currency).c_str(),
                Percent(regions[i].first, f.gross - f.returns).c_str());
  }
  std::printf("\n");

  if (!f.month_sales.empty()) {
    auto busiest = std::max_element(f.month_sales.begin(), f.month_sales.end(),
                                    [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
    std::printf("Busiest month\n  %s %d: %s gross from %s sales\n\n", MonthName(busiest->first.month()),
                static_cast<int>(busiest->first.year()), FormatMoney(busiest->second.first, currency, 0).c_str(),
                Grouped(busiest->second.second).c_str());

    const absl::CivilYear year(f.day_sales.begin()->first);
    const int64_t days = absl::CivilDay(year + 1) - absl::CivilDay(year);
    const int64_t average = f.gross / days;
    const int64_t average_count = sales / days;
    std::printf("Peak days vs an average day of %d\n", static_cast<int>(year.year()));
    auto day_line = [&](const char* label, absl::CivilDay day) {
      const auto& [amount, n] = f.day_sales[day];
      std::printf("  %-22s %s   %6s sales   %s\n", label, FormatMoney(amount, currency).c_str(), Grouped(n).c_str(),
                  Times(amount, average).c_str());
    };
    std::printf("  %-22s %s   %6s sales\n", "average day", FormatMoney(average, currency).c_str(),
                Grouped(average_count).c_str());
    day_line("618 (June 18)", absl::CivilDay(year.year(), 6, 18));
    day_line("Double 11 (Nov 11)", absl::CivilDay(year.year(), 11, 11));
    std::printf("\n");
  }

  // ---- Account managers and their customers (ownership projection, customer 360) -------
  t0 = absl::Now();
  cadre::OwnershipProjection ownership;
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(*ws));
  std::vector<std::size_t> held;
  for (const auto& [manager, n] : ownership.HoldingCounts()) held.push_back(n);
  std::sort(held.begin(), held.end());
  int64_t credited_to_owner = 0, reassigned = 0;
  absl::flat_hash_map<std::string, int64_t> customer_net;
  CADRE_RETURN_IF_ERROR(ws->ScanEvents(
      {.kinds = {cadre::EventKind::kSale, cadre::EventKind::kReturn}}, [&](const cadre::StoredEvent& stored) {
        const cadre::Event& e = stored.event;
        if (!e.manager && ownership.CreditedManager(e)) ++credited_to_owner;
        if (e.customer) {
          const int64_t amount = e.amount_minor.value_or(0);
          customer_net[*e.customer] += e.kind == cadre::EventKind::kSale ? amount : -amount;
        }
        return true;
      }));
  for (const std::string& c : ownership.Customers()) {
    for (const cadre::OwnershipRecord& r : ownership.History(c))
      if (r.change == cadre::OwnershipChange::kReassigned) ++reassigned;
  }
  std::string top_customer;
  int64_t top_net = 0;
  for (const auto& [id, net] : customer_net)
    if (net > top_net || (net == top_net && id < top_customer)) top_customer = id, top_net = net;
  std::printf("Account managers and their customers\n");
  if (!held.empty()) {
    std::printf("  customers held per manager   min %zu, median %zu, max %zu\n", held.front(), held[held.size() / 2],
                held.back());
  }
  std::printf("  reassignments in the year    %s\n", Grouped(reassigned).c_str());
  std::printf("  sales naming no manager      %s, credited to the customer's owner at the time\n",
              Grouped(credited_to_owner).c_str());
  if (!top_customer.empty()) {
    cadre::QueryEngine queries(*ws);
    CADRE_ASSIGN_OR_RETURN(std::string text,
                           queries.Run(absl::StrCat(R"({"viewer":{"admin":true},"query":"customer_360","customer":")",
                                                    top_customer, R"("})")));
    CADRE_ASSIGN_OR_RETURN(cadre::Customer360 view, cadre::json::FromText<cadre::Customer360>(text));
    std::vector<std::string> favourites;
    for (const cadre::CategorySpend& c : view.purchases.favourite_categories) favourites.push_back(c.category);
    std::printf("  top customer (customer_360)  %s %s, %s tier, owned by %s\n", view.profile.id.c_str(),
                view.profile.name.c_str(), std::string(cadre::json::EnumName(view.profile.tier)).c_str(),
                view.owner.value_or("nobody").c_str());
    std::printf("                               %s orders, net %s, favourites: %s\n",
                Grouped(view.purchases.orders).c_str(), FormatMoney(view.purchases.net_minor, currency).c_str(),
                absl::StrJoin(favourites, ", ").c_str());
  }
  std::printf("\n");
  const absl::Duration crm_time = absl::Now() - t0;

  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(PipelineAndFollowUps(*ws, ownership));
  const absl::Duration pipeline_time = absl::Now() - t0;

  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(KpisAndScorecards(*ws));
  const absl::Duration kpi_time = absl::Now() - t0;
  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(SopsAndToday(*ws));
  const absl::Duration sop_time = absl::Now() - t0;

  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(IncentivesAndPromotion(*ws));
  const absl::Duration incentive_time = absl::Now() - t0;

  t0 = absl::Now();
  CADRE_RETURN_IF_ERROR(PoolAndAssignment(*ws, ownership));
  const absl::Duration pool_time = absl::Now() - t0;

  const double load_seconds = absl::ToDoubleSeconds(load_time);
  std::printf("Timing\n");
  std::printf("  generate   %8.2f s\n", absl::ToDoubleSeconds(generate_time));
  std::printf(
      "  load       %8.2f s   %s events/s (documents in one transaction, events in atomic batches)\n", load_seconds,
      Grouped(load_seconds > 0 ? static_cast<int64_t>(static_cast<double>(total_events) / load_seconds) : 0).c_str());
  std::printf("  read back  %8.2f s   (scan of the whole event log)\n", absl::ToDoubleSeconds(scan_time));
  std::printf("  ownership  %8.2f s   (projection from the log, crediting, one customer 360)\n",
              absl::ToDoubleSeconds(crm_time));
  std::printf("  pipeline   %8.2f s   (opportunity and follow-up projections, weighted pipeline, conversion)\n",
              absl::ToDoubleSeconds(pipeline_time));
  std::printf("  kpi        %8.2f s   (targets, KPI engine catch-up, scorecard, leaderboards, series, lineage)\n",
              absl::ToDoubleSeconds(kpi_time));
  std::printf("  sop        %8.2f s   (SOP engine catch-up, service levels, escalations, today list)\n",
              absl::ToDoubleSeconds(sop_time));
  std::printf("  incentive  %8.2f s   (plans, credit ledger, statements, a close, what-if, promotion)\n",
              absl::ToDoubleSeconds(incentive_time));
  std::printf("  pool       %8.2f s   (policy, year-end sweep, claims, assignment of new customers)\n",
              absl::ToDoubleSeconds(pool_time));
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help"))) {
    std::fprintf(stderr, "usage: retail_demo [PATH]   (default: retail_demo.db)\n");
    return 2;
  }
  const std::string path = argc == 2 ? argv[1] : "retail_demo.db";
  absl::Status status = Run(path);
  if (!status.ok()) {
    std::fprintf(stderr, "retail_demo: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

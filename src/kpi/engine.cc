// The KPI engine: facts held in columns, per-period cells recomputed per
// manager when their facts change, and the full one-pass recompute that is the
// reference for them.
//
// Layout. A fact is one sale, return, interaction or survey response. Its
// columns (seq, time, day, kind, flags, credited manager, customer, amount) are
// kept in log order, so a reversal finds its target by binary search on seq.
// Each manager keeps its facts' row numbers ordered by (day, row), so its cells
// for any period are one contiguous slice; each customer keeps its row numbers,
// so a late assignment re-credits only that customer's facts and a reversed
// first purchase finds the next one.
//
// Invalidation. Every change to a manager's facts (a new fact, a reversal, a
// credit moved, a first purchase moved, a change of the customers they own)
// stamps the manager with a new generation. A period's cells remember the
// generation they were computed at and recompute, on the next query, only the
// managers stamped since. Configuration (metrics, targets, scorecards, the org)
// is re-read when the workspace's document generation moves.
#include <algorithm>
#include <functional>
#include <numeric>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cadre/calendar.h"
#include "cadre/cases.h"
#include "cadre/crm.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/opportunity.h"
#include "cadre/org.h"
#include "cadre/scope.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "cadre/tasks.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "kpi/columns.h"
#include "kpi/formula.h"

namespace cadre {
namespace {

constexpr absl::CivilDay kEpochDay(1970, 1, 1);

int32_t DayNumber(absl::CivilDay d) { return static_cast<int32_t>(d - kEpochDay); }

enum FactKind : uint8_t { kFactSale, kFactReturn, kFactInteraction, kFactCsat, kFactNps };
constexpr uint8_t kReversedFlag = 1;
constexpr uint8_t kNamedFlag = 2;
// The row is the one first_sale_ names for its customer: the earliest sale not
// reversed. The scans read it with the row instead of looking the customer up.
constexpr uint8_t kFirstSaleFlag = 4;

// What a period's cells must compute beyond the plain per-fact sums.
enum Need : uint32_t {
  kNeedBuyers = 1,     // buyers, repeat buyers (distinct customers per manager)
  kNeedCoverage = 2,   // owned customers at the end, and those contacted
  kNeedTasks = 4,      // follow-up tasks (from the task projection)
  kNeedOpps = 8,       // opportunities (from the opportunity projection)
  kNeedTraining = 16,  // training requirements met, certifying ones too (from the training projection)
  kNeedCases = 32,     // complaints resolved within their SLA, first responses (from the case projection)
  kNeedSops = 64,      // SOP steps met on time (from the SOP engine)
};
// Needs met by projections outside the engine's own facts: not tracked per
// manager, so their cells are recomputed whole when the projection moves on.
constexpr uint32_t kProjectedNeeds = kNeedTasks | kNeedOpps | kNeedTraining | kNeedCases | kNeedSops;

// The built-in metrics, as an enum for the hot path.
enum class B {
  kNetSales,
  kGrossSales,
  kReturns,
  kOrders,
  kAov,
  kNewCustomers,
  kBuyers,
  kRepeatRate,
  kReturnRate,
  kInteractions,
  kCoverage,
  kFollowUpsOnTime,
  kWinRate,
  kWeightedPipeline,
  kCsat,
  kNps,
  kSurveyResponses,
  kComplaintsInSla,
  kSopCompliance,
  kTrainingCompletion,
  kFirstResponseTime,
  kCertificationCompliance,
};

uint32_t NeedOf(B b) {
  switch (b) {
    case B::kBuyers:
    case B::kRepeatRate:
      return kNeedBuyers;
    case B::kCoverage:
      return kNeedCoverage;
    case B::kFollowUpsOnTime:
      return kNeedTasks;
    case B::kWinRate:
    case B::kWeightedPipeline:
      return kNeedOpps;
    case B::kTrainingCompletion:
    case B::kCertificationCompliance:
      return kNeedTraining;
    case B::kComplaintsInSla:
    case B::kFirstResponseTime:
      return kNeedCases;
    case B::kSopCompliance:
      return kNeedSops;
    default:
      return 0;
  }
}

// One custom base metric's running aggregate for one manager and period.
struct CustomAcc {
  int64_t sum = 0;
  int64_t count = 0;
  int64_t min = 0;
  int64_t max = 0;
  int64_t distinct = 0;
  bool any = false;
  void Add(const CustomAcc& o) {
    sum += o.sum;
    count += o.count;
    distinct += o.distinct;
    if (o.any) {
      min = any ? std::min(min, o.min) : o.min;
      max = any ? std::max(max, o.max) : o.max;
      any = true;
    }
  }
  friend bool operator==(const CustomAcc&, const CustomAcc&) = default;
};

// Everything one manager's facts add up to in one period.
struct Acc {
  int64_t gross = 0, returned = 0, sales = 0, returns = 0, new_customers = 0;
  int64_t buyers = 0, repeat_buyers = 0, interactions = 0;
  int64_t csat_sum = 0, csat_n = 0, promoters = 0, detractors = 0, nps_n = 0;
  int64_t owned = 0, contacted_owned = 0;
  int64_t tasks_due = 0, tasks_on_time = 0, won = 0, closed = 0, weighted = 0;
  int64_t training_met = 0, training_required = 0;
  int64_t complaints_in_sla = 0, complaints_resolved = 0, sop_met = 0, sop_due = 0;
  int64_t first_response_seconds = 0, first_responses = 0;
  int64_t certifications_met = 0, certifications_required = 0;
  std::vector<CustomAcc> custom;

  void Add(const Acc& o) {
    gross += o.gross;
    returned += o.returned;
    sales += o.sales;
    returns += o.returns;
    new_customers += o.new_customers;
    buyers += o.buyers;
    repeat_buyers += o.repeat_buyers;
    interactions += o.interactions;
    csat_sum += o.csat_sum;
    csat_n += o.csat_n;
    promoters += o.promoters;
    detractors += o.detractors;
    nps_n += o.nps_n;
    owned += o.owned;
    contacted_owned += o.contacted_owned;
    tasks_due += o.tasks_due;
    tasks_on_time += o.tasks_on_time;
    won += o.won;
    closed += o.closed;
    weighted += o.weighted;
    training_met += o.training_met;
    training_required += o.training_required;
    complaints_in_sla += o.complaints_in_sla;
    complaints_resolved += o.complaints_resolved;
    sop_met += o.sop_met;
    sop_due += o.sop_due;
    first_response_seconds += o.first_response_seconds;
    first_responses += o.first_responses;
    certifications_met += o.certifications_met;
    certifications_required += o.certifications_required;
    if (custom.size() < o.custom.size()) custom.resize(o.custom.size());
    for (std::size_t i = 0; i < o.custom.size(); ++i) custom[i].Add(o.custom[i]);
  }
  friend bool operator==(const Acc&, const Acc&) = default;
};

struct Pair {
  int64_t num = 0;
  int64_t den = 0;
};

Pair BuiltinPair(B b, const Acc& a) {
  switch (b) {
    case B::kNetSales:
      return {a.gross - a.returned, 1};
    case B::kGrossSales:
      return {a.gross, 1};
    case B::kReturns:
      return {a.returned, 1};
    case B::kOrders:
      return {a.sales, 1};
    case B::kAov:
      return {a.gross, a.sales};
    case B::kNewCustomers:
      return {a.new_customers, 1};
    case B::kBuyers:
      return {a.buyers, 1};
    case B::kRepeatRate:
      return {a.repeat_buyers, a.buyers};
    case B::kReturnRate:
      return {a.returned, a.gross};
    case B::kInteractions:
      return {a.interactions, 1};
    case B::kCoverage:
      return {a.contacted_owned, a.owned};
    case B::kFollowUpsOnTime:
      return {a.tasks_on_time, a.tasks_due};
    case B::kWinRate:
      return {a.won, a.closed};
    case B::kWeightedPipeline:
      return {a.weighted, 1};
    case B::kCsat:
      return {a.csat_sum, a.csat_n};
    case B::kNps:
      return {100 * (a.promoters - a.detractors), a.nps_n};
    case B::kSurveyResponses:
      return {a.csat_n + a.nps_n, 1};
    case B::kTrainingCompletion:
      return {a.training_met, a.training_required};
    case B::kComplaintsInSla:
      return {a.complaints_in_sla, a.complaints_resolved};
    case B::kSopCompliance:
      return {a.sop_met, a.sop_due};
    case B::kFirstResponseTime:
      // Seconds over 60 x cases: the value is the average in minutes, exactly,
      // and roll-ups still add both sides.
      return {a.first_response_seconds, 60 * a.first_responses};
    case B::kCertificationCompliance:
      return {a.certifications_met, a.certifications_required};
  }
  return {0, 0};
}

// A custom base metric, compiled for matching facts.
struct CustomMetric {
  MetricDefinition def;
  uint32_t kinds = 0;  // bit per FactKind
  absl::flat_hash_set<std::string> categories, skus;
  uint32_t channels = 0;  // bit per Channel
  // Matching facts: (row, value), rows ascending (rows are appended in order).
  std::vector<std::pair<uint32_t, int64_t>> rows;
  // Distinct references are interned per metric, so they count exactly.
  std::unique_ptr<Interner> references = std::make_unique<Interner>();

  bool Matches(const Event& e, FactKind kind) const {
    if (!(kinds & (1u << kind))) return false;
    if (!def.filter.categories.empty()) {
      bool hit = e.category && categories.contains(*e.category);
      for (const LineItem& l : e.lines) hit = hit || (l.category && categories.contains(*l.category));
      if (!hit) return false;
    }
    if (!def.filter.skus.empty()) {
      bool hit = e.sku && skus.contains(*e.sku);
      for (const LineItem& l : e.lines) hit = hit || skus.contains(l.sku);
      if (!hit) return false;
    }
    if (!def.filter.channels.empty() && !(e.channel && (channels & (1u << static_cast<int>(*e.channel))))) return false;
    for (const auto& [k, v] : def.filter.attributes) {
      auto it = e.attributes.find(k);
      if (it == e.attributes.end() || it->second != v) return false;
    }
    return true;
  }

  int64_t ValueOf(const Event& e, FactKind kind, uint32_t customer) {
    switch (def.field.value_or(MetricField::kAmount)) {
      case MetricField::kAmount: {
        int64_t v = e.amount_minor.value_or(0);
        return kind == kFactReturn && (kinds & (1u << kFactSale)) ? -v : v;
      }
      case MetricField::kQuantity: {
        if (!e.lines.empty()) {
          int64_t q = 0;
          for (const LineItem& l : e.lines) q += l.quantity;
          return q;
        }
        return e.quantity.value_or(1);
      }
      case MetricField::kScore:
        return e.score ? e.score->units() : 0;
      case MetricField::kCustomer:
        return customer;
      case MetricField::kReference:
        return references->Intern(e.reference ? *e.reference : e.id);
    }
    return 0;
  }
};

// Cells of one period: per manager key.
struct PeriodCells {
  Period period = Period::Of(Granularity::kDay, kEpochDay);
  int32_t from_day = 0, to_day = 0;  // inclusive
  absl::Time start, end;
  uint32_t needs = 0;
  std::vector<int32_t> custom;  // custom metric indexes, in Acc::custom order
  uint64_t generation = 0;      // facts' generation the cells reflect
  uint64_t opps_mark = 0, tasks_mark = 0, training_mark = 0, cases_mark = 0, sops_mark = 0;
  bool projections_done = false;
  std::vector<Acc> acc;        // per manager key (facts)
  std::vector<Acc> projected;  // per manager key (tasks, opportunities, training)
};

// A metric as a request uses it.
struct PlanMetric {
  std::string id;
  enum class Kind { kBuiltin, kCustom, kDerived } kind = Kind::kBuiltin;
  B builtin = B::kNetSales;
  int32_t custom_slot = -1;  // index into PeriodCells::custom / Acc::custom
  std::shared_ptr<const kpi_internal::Formula> formula;
  std::vector<int32_t> inputs;  // plan indexes of the formula's variables
  MetricUnit unit = MetricUnit::kCount;
  bool higher_is_better = true;
  bool additive = true;  // targets of units may be summed from members
};

struct Plan {
  std::vector<PlanMetric> metrics;  // dependencies first
  std::vector<int32_t> outputs;     // plan index per requested metric
  uint32_t needs = 0;
  std::vector<int32_t> custom;  // custom metric indexes used
};

struct ConfigState {
  uint64_t generation = UINT64_MAX;
  absl::flat_hash_map<std::string, MetricDefinition> metrics;
  absl::flat_hash_map<std::string, ScorecardDefinition> scorecards;
  // (metric, period text) -> subject -> target
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, Target>> manager_targets, unit_targets;
  bool any_targets = false;
};

std::string TargetKey(std::string_view metric, std::string_view period) {
  return absl::StrCat(AbslView(metric), "\x1f", AbslView(period));
}

std::optional<double> Quotient(Pair p) {
  if (p.den == 0) return std::nullopt;
  return static_cast<double>(p.num) / static_cast<double>(p.den);
}

}  // namespace

class KpiEngine::Impl {
 public:
  explicit Impl(const Workspace& ws) : ws_(ws) {}

  absl::Status CatchUp() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return CatchUpLocked();
  }

  absl::StatusOr<Scorecard> GetScorecard(const ScorecardRequest& request, bool recompute) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    CADRE_RETURN_IF_ERROR(CatchUpLocked());
    return BuildScorecard(request, recompute);
  }

  absl::StatusOr<Leaderboard> GetLeaderboard(std::string_view metric, const Period& period,
                                             std::optional<std::string> unit, std::span<const std::string> managers,
                                             std::size_t limit) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    CADRE_RETURN_IF_ERROR(CatchUpLocked());
    ScorecardRequest req;
    req.metrics = {std::string(metric)};
    req.period = period;
    req.unit = unit;
    req.managers.assign(managers.begin(), managers.end());
    req.units_rollup = false;
    req.compare_previous = false;
    CADRE_ASSIGN_OR_RETURN(Scorecard card, BuildScorecard(req, false));
    CADRE_ASSIGN_OR_RETURN(Plan plan, MakePlan(req));
    const bool higher = plan.metrics[plan.outputs[0]].higher_is_better;
    Leaderboard board;
    board.metric = std::string(metric);
    board.period = period.ToString();
    board.unit = unit;
    for (ScorecardRow& row : card.managers)
      board.entries.push_back(LeaderboardEntry{0, std::move(row.subject), std::move(row.team), row.figures[0]});
    std::stable_sort(board.entries.begin(), board.entries.end(),
                     [&](const LeaderboardEntry& a, const LeaderboardEntry& b) {
                       if (a.figure.value.has_value() != b.figure.value.has_value()) return a.figure.value.has_value();
                       if (!a.figure.value) return a.manager < b.manager;
                       if (*a.figure.value != *b.figure.value)
                         return higher ? *a.figure.value > *b.figure.value : *a.figure.value < *b.figure.value;
                       return a.manager < b.manager;
                     });
    for (std::size_t i = 0; i < board.entries.size(); ++i) {
      LeaderboardEntry& e = board.entries[i];
      if (i > 0 && board.entries[i - 1].figure.value == e.figure.value)
        e.rank = board.entries[i - 1].rank;
      else
        e.rank = static_cast<int32_t>(i + 1);
    }
    if (limit > 0 && board.entries.size() > limit) board.entries.resize(limit);
    return board;
  }

  absl::StatusOr<std::vector<SeriesPoint>> GetTimeSeries(std::string_view metric, std::string_view subject,
                                                         bool is_unit, const Period& first, int count)
      ABSL_LOCKS_EXCLUDED(mu_) {
    if (count < 1 || count > 1000) return FieldError("count", "must be between 1 and 1000", absl::StrCat(count));
    absl::MutexLock lock(&mu_);
    CADRE_RETURN_IF_ERROR(CatchUpLocked());
    std::vector<SeriesPoint> out;
    Period p = first;
    for (int i = 0; i < count; ++i, p = p.Next()) {
      ScorecardRequest req;
      req.metrics = {std::string(metric)};
      req.period = p;
      req.compare_previous = false;
      if (is_unit) {
        req.unit = std::string(subject);
      } else {
        req.manager = std::string(subject);
        req.units_rollup = false;
      }
      CADRE_ASSIGN_OR_RETURN(Scorecard card, BuildScorecard(req, false));
      Figure f;
      const std::vector<ScorecardRow>& rows = is_unit ? card.units : card.managers;
      for (const ScorecardRow& row : rows)
        if (row.subject == subject) f = row.figures[0];
      out.push_back(SeriesPoint{p.ToString(), f});
    }
    return out;
  }

  absl::StatusOr<std::vector<LineageEntry>> Lineage(std::string_view metric, std::string_view manager,
                                                    const Period& period) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    CADRE_RETURN_IF_ERROR(CatchUpLocked());
    CADRE_RETURN_IF_ERROR(LoadConfig());
    ScorecardRequest req;
    req.metrics = {std::string(metric)};
    req.period = period;
    CADRE_ASSIGN_OR_RETURN(Plan plan, MakePlan(req));
    const PlanMetric& pm = plan.metrics[plan.outputs[0]];
    std::vector<LineageEntry> out;
    std::optional<uint32_t> m = managers_->Find(manager);
    if (!m) {
      CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(period));
      if (org->FindManager(manager) == nullptr) return ManagerNotFound(manager);
    }
    if (!m || pm.kind == PlanMetric::Kind::kDerived) return out;
    const int32_t from = DayNumber(period.first_day()), to = DayNumber(period.last_day());
    // (seq, contribution) of each fact behind the figure.
    std::vector<std::pair<uint64_t, int64_t>> picked;
    const std::vector<uint32_t>& rows = manager_rows_[*m];
    auto it = std::lower_bound(rows.begin(), rows.end(), from, [&](uint32_t r, int32_t d) { return day_[r] < d; });
    std::optional<absl::flat_hash_set<uint32_t>> owned;
    if (pm.kind == PlanMetric::Kind::kBuiltin && pm.builtin == B::kCoverage) owned = OwnedAt(*m, period.End(tz()));
    for (; it != rows.end() && day_[*it] <= to; ++it) {
      const uint32_t r = *it;
      if (flags_[r] & kReversedFlag) continue;
      const uint8_t k = kind_[r];
      if (pm.kind == PlanMetric::Kind::kCustom) {
        const CustomMetric& cm =
            custom_[static_cast<std::size_t>(plan.custom[static_cast<std::size_t>(pm.custom_slot)])];
        auto hit = std::lower_bound(cm.rows.begin(), cm.rows.end(), std::make_pair(r, INT64_MIN));
        // A counted event contributes 1 (for distinct counts, the value is an internal key).
        const bool counted = *cm.def.aggregate == Aggregate::kCount || *cm.def.aggregate == Aggregate::kDistinctCount;
        if (hit != cm.rows.end() && hit->first == r) picked.emplace_back(seq_[r], counted ? 1 : hit->second);
        continue;
      }
      std::optional<int64_t> c;
      switch (pm.builtin) {
        case B::kNetSales:
          if (k == kFactSale) c = amount_[r];
          if (k == kFactReturn) c = -amount_[r];
          break;
        case B::kGrossSales:
        case B::kAov:
          if (k == kFactSale) c = amount_[r];
          break;
        case B::kReturns:
        case B::kReturnRate:
          if (k == kFactReturn) c = amount_[r];
          break;
        case B::kOrders:
        case B::kBuyers:
        case B::kRepeatRate:
          if (k == kFactSale) c = 1;
          break;
        case B::kNewCustomers:
          if (k == kFactSale && (flags_[r] & kFirstSaleFlag)) c = 1;
          break;
        case B::kInteractions:
          if (k == kFactInteraction) c = 1;
          break;
        case B::kCoverage:
          if (k == kFactInteraction && owned->contains(static_cast<uint32_t>(customer_[r]))) c = 1;
          break;
        case B::kCsat:
          if (k == kFactCsat) c = amount_[r];
          break;
        case B::kNps:
          if (k == kFactNps) c = amount_[r] >= 9 ? 100 : (amount_[r] <= 6 ? -100 : 0);
          break;
        case B::kSurveyResponses:
          if (k == kFactCsat || k == kFactNps) c = 1;
          break;
        default:
          break;
      }
      if (c) picked.emplace_back(seq_[r], *c);
    }
    if (picked.empty()) return out;
    // Read the events back from the log by time range, keeping the picked seqs.
    absl::flat_hash_map<uint64_t, int64_t> by_seq(picked.begin(), picked.end());
    EventQuery q;
    q.from = period.Start(tz());
    q.until = period.End(tz());
    q.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction, EventKind::kSurveyResponse};
    CADRE_RETURN_IF_ERROR(ws_.ScanEvents(q, [&](const StoredEvent& e) {
      auto hit = by_seq.find(e.seq);
      if (hit != by_seq.end()) out.push_back(LineageEntry{e.event.id, e.event.kind, e.event.occurred_at, hit->second});
      return true;
    }));
    return out;
  }

  void Reset() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    ResetLocked();
  }

  std::size_t facts_held() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return seq_.size();
  }

  std::size_t FactBytes() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::size_t bytes = seq_.Bytes() + at_.Bytes() + day_.Bytes() + kind_.capacity() + flags_.capacity() +
                        manager_.capacity() * sizeof(int32_t) + customer_.capacity() * sizeof(int32_t) +
                        amount_.Bytes();
    for (const auto& v : manager_rows_) bytes += sizeof(v) + v.capacity() * sizeof(uint32_t);
    for (const auto& v : assigned_) bytes += sizeof(v) + v.capacity() * sizeof(uint32_t);
    bytes += first_sale_.capacity() * sizeof(uint32_t) + last_change_.capacity() * sizeof(uint64_t);
    for (const CustomMetric& c : custom_) bytes += c.rows.capacity() * sizeof(c.rows[0]);
    bytes += customers_->MemoryBytes() + managers_->MemoryBytes();
    return bytes;
  }

 private:
  absl::TimeZone tz() const { return ws_.time_zone(); }

  void ResetLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mark_ = 0;
    seq_.clear();
    at_.clear();
    day_.clear();
    kind_.clear();
    flags_.clear();
    manager_.clear();
    customer_.clear();
    amount_.clear();
    manager_rows_.clear();
    assigned_.clear();
    first_sale_.clear();
    last_change_.clear();
    generation_ = 1;
    customers_ = std::make_shared<Interner>();
    managers_ = std::make_shared<Interner>();
    custom_.clear();
    cells_.clear();
    config_ = ConfigState{};
    cards_.clear();
    org_rows_.clear();
    org_.clear();
    ownership_ = std::make_unique<OwnershipProjection>(customers_, managers_);
    opportunities_ = std::make_unique<OpportunityProjection>();
    tasks_ = std::make_unique<FollowUpProjection>();
    training_ = std::make_unique<TrainingProjection>();
    cases_ = std::make_unique<CaseProjection>();
    sops_ = std::make_unique<SopEngine>(ws_);
    sops_mark_ = 0;
  }

  // ---- Configuration -------------------------------------------------------

  absl::Status LoadConfig() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t gen = ws_.document_generation();
    if (config_.generation == gen) return absl::OkStatus();
    ConfigState next;
    next.generation = gen;
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> metrics, ws_.List(MetricDefinition::kCollection));
    for (const Document& d : metrics) {
      CADRE_ASSIGN_OR_RETURN(MetricDefinition m, json::FromText<MetricDefinition>(d.body, "metrics"));
      next.metrics.emplace(m.id, std::move(m));
    }
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> cards, ws_.List(ScorecardDefinition::kCollection));
    for (const Document& d : cards) {
      CADRE_ASSIGN_OR_RETURN(ScorecardDefinition s, json::FromText<ScorecardDefinition>(d.body, "scorecards"));
      next.scorecards.emplace(s.id, std::move(s));
    }
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> targets, ws_.List(Target::kCollection));
    for (const Document& d : targets) {
      CADRE_ASSIGN_OR_RETURN(Target t, json::FromText<Target>(d.body, "targets"));
      // Normalise the period text ("2025-6" is refused by Parse; keep its own form).
      CADRE_ASSIGN_OR_RETURN(Period p, Period::Parse(t.period));
      std::string key = TargetKey(t.metric, p.ToString());
      next.any_targets = true;
      if (t.manager) {
        std::string subject = *t.manager;
        next.manager_targets[key].insert_or_assign(std::move(subject), std::move(t));
      } else {
        std::string subject = *t.unit;
        next.unit_targets[key].insert_or_assign(std::move(subject), std::move(t));
      }
    }
    // Custom base metrics whose definition changed are rebuilt from the log.
    bool rebuild = false;
    for (const auto& [id, m] : next.metrics) {
      if (!m.aggregate) continue;
      auto it = custom_index_.find(id);
      if (it == custom_index_.end() || !SameBase(custom_[static_cast<std::size_t>(it->second)].def, m)) rebuild = true;
    }
    std::size_t bases = 0;
    for (const auto& [id, m] : next.metrics) bases += m.aggregate ? 1 : 0;
    if (bases != custom_.size()) rebuild = true;
    config_ = std::move(next);
    cards_.clear();
    org_rows_.clear();
    org_.clear();
    cells_.clear();
    if (rebuild) CADRE_RETURN_IF_ERROR(RebuildCustom());
    return absl::OkStatus();
  }

  static bool SameBase(const MetricDefinition& a, const MetricDefinition& b) {
    return a.aggregate == b.aggregate && a.field == b.field && a.filter == b.filter;
  }

  CustomMetric Compile(const MetricDefinition& m) {
    CustomMetric c;
    c.def = m;
    std::vector<EventKind> kinds = m.filter.kinds;
    if (kinds.empty()) kinds = {EventKind::kSale};
    for (EventKind k : kinds) {
      switch (k) {
        case EventKind::kSale:
          c.kinds |= 1u << kFactSale;
          break;
        case EventKind::kReturn:
          c.kinds |= 1u << kFactReturn;
          break;
        case EventKind::kInteraction:
          c.kinds |= 1u << kFactInteraction;
          break;
        case EventKind::kSurveyResponse:
          c.kinds |= (1u << kFactCsat) | (1u << kFactNps);
          break;
        default:
          break;
      }
    }
    c.categories.insert(m.filter.categories.begin(), m.filter.categories.end());
    c.skus.insert(m.filter.skus.begin(), m.filter.skus.end());
    for (Channel ch : m.filter.channels) c.channels |= 1u << static_cast<int>(ch);
    return c;
  }

  // Re-reads every fact event to fill the custom metrics' columns.
  absl::Status RebuildCustom() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    custom_.clear();
    custom_index_.clear();
    std::vector<std::string> ids;
    for (const auto& [id, m] : config_.metrics)
      if (m.aggregate) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      custom_index_[id] = static_cast<int32_t>(custom_.size());
      custom_.push_back(Compile(config_.metrics.at(id)));
    }
    if (custom_.empty() || seq_.empty()) return absl::OkStatus();
    EventQuery q;
    q.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction, EventKind::kSurveyResponse};
    q.order = ScanOrder::kBySeq;
    const uint64_t last = seq_.back();
    CADRE_RETURN_IF_ERROR(ws_.ScanEvents(q, [&](const StoredEvent& e) {
      if (e.seq > last) return false;
      auto row = RowOfSeq(e.seq);
      if (row) MatchCustom(e.event, *row);
      return true;
    }));
    return absl::OkStatus();
  }

  void MatchCustom(const Event& e, uint32_t row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const FactKind k = static_cast<FactKind>(kind_[row]);
    for (CustomMetric& c : custom_)
      if (c.Matches(e, k)) c.rows.emplace_back(row, c.ValueOf(e, k, static_cast<uint32_t>(customer_[row])));
  }

  absl::StatusOr<const OrgTree*> OrgAt(const Period& period) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::string key = period.ToString();
    auto it = org_.find(key);
    if (it != org_.end()) return it->second.get();
    CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws_, period.End(tz()) - absl::Nanoseconds(1)));
    auto owned = std::make_unique<OrgTree>(std::move(tree));
    const OrgTree* p = owned.get();
    org_.emplace(key, std::move(owned));
    return p;
  }

  // ---- Facts -----------------------------------------------------------------

  std::optional<uint32_t> RowOfSeq(uint64_t seq) const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return seq_.Find(seq); }

  uint32_t ManagerKey(std::string_view id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ManagerSlot(managers_->Intern(id));
  }

  // Sizes the per-manager arrays for every manager interned so far. The
  // ownership projection shares the interner and interns the owners it meets,
  // and it is caught up not only here but also by the projections that read it
  // (opportunities, follow-ups), so this runs after each of those catch-ups.
  void SyncManagerSlots() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (managers_->size() > 0) ManagerSlot(static_cast<uint32_t>(managers_->size() - 1));
  }

  // Sizes the per-manager arrays for key `k` (interned here or by the ownership
  // projection, which shares the interner).
  uint32_t ManagerSlot(uint32_t k) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (k >= manager_rows_.size()) {
      manager_rows_.resize(k + 1);
      assigned_.resize(k + 1);
      last_change_.resize(k + 1, 0);
    }
    return k;
  }

  uint32_t CustomerKey(std::string_view id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    uint32_t k = customers_->Intern(id);
    if (k >= first_sale_.size()) first_sale_.resize(k + 1, kNoRow);
    return k;
  }

  void Touch(int32_t manager) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (manager >= 0) last_change_[static_cast<std::size_t>(manager)] = ++generation_;
  }

  int64_t AtNanos(uint32_t row) const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return at_.At(row, day_[row]); }

  int32_t OwnerKey(uint32_t customer, int64_t at_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int32_t owner = ownership_->OwnerKeyAt(customer, absl::FromUnixNanos(at_ns));
    return owner >= 0 ? static_cast<int32_t>(ManagerSlot(static_cast<uint32_t>(owner))) : -1;
  }

  void InsertManagerRow(int32_t m, uint32_t row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (m < 0) return;
    std::vector<uint32_t>& rows = manager_rows_[static_cast<std::size_t>(m)];
    auto less = [&](uint32_t a, uint32_t b) { return day_[a] != day_[b] ? day_[a] < day_[b] : a < b; };
    if (rows.empty() || less(rows.back(), row)) {
      rows.push_back(row);
    } else {
      rows.insert(std::upper_bound(rows.begin(), rows.end(), row, less), row);
    }
  }

  void EraseManagerRow(int32_t m, uint32_t row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (m < 0) return;
    std::vector<uint32_t>& rows = manager_rows_[static_cast<std::size_t>(m)];
    auto less = [&](uint32_t a, uint32_t b) { return day_[a] != day_[b] ? day_[a] < day_[b] : a < b; };
    auto it = std::lower_bound(rows.begin(), rows.end(), row, less);
    if (it != rows.end() && *it == row) rows.erase(it);
  }

  // Calls fn(row) for every fact row of customer `c` below `rows_end`. The engine
  // keeps no list of a customer's rows (four bytes a fact); it asks the store's
  // index of the customer's events, which only an ownership change or a reversed
  // sale needs, and maps each seq to its row.
  absl::Status ForEachRowOf(uint32_t c, uint32_t rows_end, absl::FunctionRef<void(uint32_t)> fn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (rows_end == 0) return absl::OkStatus();
    EventQuery q;
    q.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction, EventKind::kSurveyResponse};
    q.customer = std::string(customers_->Name(c));
    q.order = ScanOrder::kBySeq;
    const uint64_t last = seq_[rows_end - 1];
    return ws_.ScanEvents(q, [&](const StoredEvent& se) {
      if (se.seq > last) return false;
      if (std::optional<uint32_t> row = RowOfSeq(se.seq); row && customer_[*row] == static_cast<int32_t>(c)) fn(*row);
      return true;
    });
  }

  // Earliest live sale of a customer, by (time, seq).
  absl::Status RefreshFirstSale(uint32_t c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    uint32_t best = kNoRow;
    int64_t best_at = 0;
    CADRE_RETURN_IF_ERROR(ForEachRowOf(c, static_cast<uint32_t>(seq_.size()), [&](uint32_t r) {
      if (kind_[r] != kFactSale || (flags_[r] & kReversedFlag)) return;
      const int64_t at = AtNanos(r);
      if (best == kNoRow || at < best_at || (at == best_at && seq_[r] < seq_[best])) {
        best = r;
        best_at = at;
      }
    }));
    const uint32_t old = first_sale_[c];
    if (old == best) return absl::OkStatus();
    if (old != kNoRow) Touch(manager_[old]);
    if (best != kNoRow) Touch(manager_[best]);
    SetFirstSale(c, best);
    return absl::OkStatus();
  }

  // first_sale_[c] = row, and the flag moved from the old row to the new one.
  void SetFirstSale(uint32_t c, uint32_t row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    uint32_t& first = first_sale_[c];
    if (first != kNoRow) flags_[first] &= static_cast<uint8_t>(~kFirstSaleFlag);
    if (row != kNoRow) flags_[row] |= kFirstSaleFlag;
    first = row;
  }

  // Credits again the facts of `c` that name no manager (its ownership changed).
  // Only rows below `rows_end` can need it: a fact added by the catch-up that
  // changed the ownership was credited after the whole change.
  absl::Status Recredit(uint32_t c, uint32_t rows_end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    CADRE_RETURN_IF_ERROR(ForEachRowOf(c, rows_end, [&](uint32_t r) {
      if (flags_[r] & kNamedFlag) return;
      const int32_t now = OwnerKey(c, AtNanos(r));
      const int32_t before = manager_[r];
      if (now == before) return;
      EraseManagerRow(before, r);
      manager_[r] = now;
      InsertManagerRow(now, r);
      Touch(before);
      Touch(now);
    }));
    // Owners past and present: their holdings (coverage) changed.
    for (const OwnershipRecord& h : ownership_->History(customers_->Name(c))) {
      if (!h.manager) continue;
      const uint32_t m = ManagerKey(*h.manager);
      std::vector<uint32_t>& list = assigned_[m];
      if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
      Touch(static_cast<int32_t>(m));
    }
    return absl::OkStatus();
  }

  void AddFact(const StoredEvent& se, FactKind kind) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!seq_.empty() && se.seq <= seq_.back()) return;  // held already: a retried catch-up
    const Event& e = se.event;
    const uint32_t row = static_cast<uint32_t>(seq_.size());
    const int64_t at_ns = absl::ToUnixNanos(e.occurred_at);
    const int32_t c = e.customer ? static_cast<int32_t>(CustomerKey(*e.customer)) : -1;
    int32_t m = -1;
    uint8_t flags = 0;
    if (e.manager) {
      m = static_cast<int32_t>(ManagerKey(*e.manager));
      flags |= kNamedFlag;
    } else if (c >= 0) {
      m = OwnerKey(static_cast<uint32_t>(c), at_ns);
    }
    int64_t amount = 0;
    if (kind == kFactSale || kind == kFactReturn) amount = e.amount_minor.value_or(0);
    if (kind == kFactCsat || kind == kFactNps) amount = e.score ? e.score->units() / Decimal::kOne : 0;
    seq_.push_back(se.seq);
    const int32_t day = DayNumber(absl::ToCivilDay(e.occurred_at, tz()));
    at_.push_back(at_ns, day);
    day_.push_back(day);
    kind_.push_back(kind);
    flags_.push_back(flags);
    manager_.push_back(m);
    customer_.push_back(c);
    amount_.push_back(amount);
    InsertManagerRow(m, row);
    if (!custom_.empty()) MatchCustom(e, row);
    Touch(m);
    if (kind == kFactSale && c >= 0) {
      const uint32_t first = first_sale_[static_cast<std::size_t>(c)];
      if (first == kNoRow || at_ns < AtNanos(first)) {
        if (first != kNoRow) Touch(manager_[first]);
        SetFirstSale(static_cast<uint32_t>(c), row);
      }
    }
  }

  absl::Status CatchUpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    CADRE_RETURN_IF_ERROR(LoadConfig());
    CADRE_RETURN_IF_ERROR(ownership_->CatchUp(ws_));
    SyncManagerSlots();
    const uint64_t limit = ownership_->high_water_mark();
    if (limit > mark_) {
      // A scan that failed part way leaves the rows it added; the retry scans
      // from mark_ again and skips them (AddFact), and rebuilds these two sets.
      absl::flat_hash_set<uint32_t> touched;        // customers whose ownership changed
      absl::flat_hash_set<uint32_t> first_changed;  // customers with a sale reversed
      const uint32_t rows_before = static_cast<uint32_t>(seq_.size());
      EventQuery q;
      q.kinds = {EventKind::kSale,           EventKind::kReturn,     EventKind::kInteraction,
                 EventKind::kSurveyResponse, EventKind::kAssignment, EventKind::kReversal};
      q.after_seq = mark_;
      q.order = ScanOrder::kBySeq;
      absl::Status inner;
      CADRE_RETURN_IF_ERROR(ws_.ScanEvents(q, [&](const StoredEvent& se) {
        if (se.seq > limit) return false;
        const Event& e = se.event;
        switch (e.kind) {
          case EventKind::kSale:
            AddFact(se, kFactSale);
            break;
          case EventKind::kReturn:
            AddFact(se, kFactReturn);
            break;
          case EventKind::kInteraction:
            AddFact(se, kFactInteraction);
            break;
          case EventKind::kSurveyResponse:
            AddFact(se, e.category && *e.category == "csat" ? kFactCsat : kFactNps);
            break;
          case EventKind::kAssignment:
            if (e.customer) touched.insert(CustomerKey(*e.customer));
            if (e.manager) Touch(static_cast<int32_t>(ManagerKey(*e.manager)));
            break;
          case EventKind::kReversal: {
            absl::StatusOr<StoredEvent> target = const_cast<Workspace&>(ws_).store().FindEvent(*e.reverses);
            if (!target.ok()) {
              if (absl::IsNotFound(target.status())) break;
              inner = target.status();
              return false;
            }
            if (target->event.kind == EventKind::kAssignment) {
              if (target->event.customer) touched.insert(CustomerKey(*target->event.customer));
              if (target->event.manager) Touch(static_cast<int32_t>(ManagerKey(*target->event.manager)));
              break;
            }
            std::optional<uint32_t> row = RowOfSeq(target->seq);
            if (!row) break;
            if (!(flags_[*row] & kReversedFlag)) {
              flags_[*row] |= kReversedFlag;
              Touch(manager_[*row]);
            }
            // After the scan (which a nested scan of the store must not interrupt).
            if (kind_[*row] == kFactSale && customer_[*row] >= 0)
              first_changed.insert(static_cast<uint32_t>(customer_[*row]));
            break;
          }
          default:
            break;
        }
        return true;
      }));
      CADRE_RETURN_IF_ERROR(inner);
      // Sorted, so that assigned_ and the managers' generations change in the
      // same order every time.
      std::vector<uint32_t> order(touched.begin(), touched.end());
      std::sort(order.begin(), order.end());
      for (uint32_t c : order) CADRE_RETURN_IF_ERROR(Recredit(c, rows_before));
      order.assign(first_changed.begin(), first_changed.end());
      std::sort(order.begin(), order.end());
      for (uint32_t c : order) CADRE_RETURN_IF_ERROR(RefreshFirstSale(c));
      mark_ = limit;
    }
    return absl::OkStatus();
  }

  // The projections only some metrics read are caught up when a plan needs
  // them, not on every refresh.
  absl::Status CatchUpProjections(uint32_t needs) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Both catch the shared ownership projection up too (see SyncManagerSlots).
    absl::Cleanup sync = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { SyncManagerSlots(); };
    if (needs & kNeedOpps) CADRE_RETURN_IF_ERROR(opportunities_->CatchUp(ws_, *ownership_));
    if (needs & kNeedTasks) CADRE_RETURN_IF_ERROR(tasks_->CatchUp(ws_, *ownership_));
    if (needs & kNeedTraining) CADRE_RETURN_IF_ERROR(training_->CatchUp(ws_));
    if (needs & kNeedCases) CADRE_RETURN_IF_ERROR(cases_->CatchUp(ws_));
    if (needs & kNeedSops) {
      CADRE_RETURN_IF_ERROR(sops_->CatchUp());
      CADRE_ASSIGN_OR_RETURN(sops_mark_, ws_.HighWaterMark());
    }
    return absl::OkStatus();
  }

  // The customers manager `m` owns at `at`.
  absl::flat_hash_set<uint32_t> OwnedAt(uint32_t m, absl::Time at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::flat_hash_set<uint32_t> owned;
    for (uint32_t c : assigned_[m])
      if (ownership_->OwnerKeyAt(c, at - absl::Nanoseconds(1)) == static_cast<int32_t>(m)) owned.insert(c);
    return owned;
  }

  // ---- Cells -----------------------------------------------------------------

  // One manager's cells for a period, from its slice of facts.
  void ComputeManager(PeriodCells& cells, uint32_t m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Acc a;
    a.custom.resize(cells.custom.size());
    const std::vector<uint32_t>& rows = manager_rows_[m];
    auto begin =
        std::lower_bound(rows.begin(), rows.end(), cells.from_day, [&](uint32_t r, int32_t d) { return day_[r] < d; });
    auto end = begin;
    const bool buyers = cells.needs & kNeedBuyers;
    const bool coverage = cells.needs & kNeedCoverage;
    absl::flat_hash_map<int32_t, int32_t> bought;
    absl::flat_hash_set<int32_t> contacted;
    // A manager's rows are scattered over the columns: ask for the columns of
    // a later row ahead, so the cache misses overlap instead of queueing.
    constexpr std::ptrdiff_t kAhead = 8;
    for (; end != rows.end() && day_[*end] <= cells.to_day; ++end) {
      if (rows.end() - end > kAhead) {
        const uint32_t p = end[kAhead];
        day_.Prefetch(p);
        amount_.Prefetch(p);
        __builtin_prefetch(&kind_[p]);
        __builtin_prefetch(&flags_[p]);
        __builtin_prefetch(&customer_[p]);
      }
      const uint32_t r = *end;
      if (flags_[r] & kReversedFlag) continue;
      switch (kind_[r]) {
        case kFactSale:
          a.gross += amount_[r];
          a.sales += 1;
          if (customer_[r] >= 0) {
            if (flags_[r] & kFirstSaleFlag) a.new_customers += 1;
            if (buyers) bought[customer_[r]] += 1;
          }
          break;
        case kFactReturn:
          a.returned += amount_[r];
          a.returns += 1;
          break;
        case kFactInteraction:
          a.interactions += 1;
          if (coverage && customer_[r] >= 0) contacted.insert(customer_[r]);
          break;
        case kFactCsat:
          a.csat_sum += amount_[r];
          a.csat_n += 1;
          break;
        case kFactNps:
          a.nps_n += 1;
          if (amount_[r] >= 9) a.promoters += 1;
          if (amount_[r] <= 6) a.detractors += 1;
          break;
      }
    }
    if (buyers) {
      a.buyers = static_cast<int64_t>(bought.size());
      for (const auto& [c, n] : bought) a.repeat_buyers += n >= 2 ? 1 : 0;
    }
    if (coverage) {
      absl::flat_hash_set<uint32_t> owned = OwnedAt(m, cells.end);
      a.owned = static_cast<int64_t>(owned.size());
      for (uint32_t c : owned) a.contacted_owned += contacted.contains(static_cast<int32_t>(c)) ? 1 : 0;
    }
    for (std::size_t i = 0; i < cells.custom.size(); ++i) {
      const CustomMetric& cm = custom_[static_cast<std::size_t>(cells.custom[i])];
      CustomAcc& ca = a.custom[i];
      absl::flat_hash_set<int64_t> distinct;
      for (auto it = begin; it != end; ++it) {
        const uint32_t r = *it;
        if (flags_[r] & kReversedFlag) continue;
        auto hit = std::lower_bound(cm.rows.begin(), cm.rows.end(), std::make_pair(r, INT64_MIN));
        if (hit == cm.rows.end() || hit->first != r) continue;
        AddCustom(ca, hit->second, cm.def, distinct);
      }
      ca.distinct = static_cast<int64_t>(distinct.size());
    }
    cells.acc[m] = std::move(a);
  }

  static void AddCustom(CustomAcc& ca, int64_t v, const MetricDefinition& def, absl::flat_hash_set<int64_t>& distinct) {
    if (*def.aggregate == Aggregate::kDistinctCount) {
      distinct.insert(v);
      return;
    }
    ca.sum += v;
    ca.count += 1;
    ca.min = ca.any ? std::min(ca.min, v) : v;
    ca.max = ca.any ? std::max(ca.max, v) : v;
    ca.any = true;
  }

  // Every manager's cells for a period in one pass over all facts (the reference).
  void ComputeAll(PeriodCells& cells) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const std::size_t nm = managers_->size();
    cells.acc.assign(nm, Acc{});
    for (Acc& a : cells.acc) a.custom.resize(cells.custom.size());
    const bool buyers = cells.needs & kNeedBuyers;
    const bool coverage = cells.needs & kNeedCoverage;
    absl::flat_hash_map<uint64_t, int32_t> bought;
    absl::flat_hash_set<uint64_t> contacted;
    auto pair_key = [](int32_t m, int32_t c) {
      return (static_cast<uint64_t>(static_cast<uint32_t>(m)) << 32) | static_cast<uint32_t>(c);
    };
    // Sales and returns, most of the facts, are summed into 40 bytes a manager
    // (which stay in cache where the whole Acc would not), then added.
    std::vector<SaleSums>& sums = scratch_sums_;
    sums.assign(nm, SaleSums{});
    const int32_t from = cells.from_day, to = cells.to_day;
    day_.ForEachRowMaybeIn(from, to, [&](uint32_t r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      const int32_t d = day_[r];
      if (d < from || d > to) return;
      const int32_t m = manager_[r];
      const uint8_t flags = flags_[r];
      if (m < 0 || (flags & kReversedFlag)) return;
      const int32_t c = customer_[r];
      switch (kind_[r]) {
        case kFactSale: {
          SaleSums& x = sums[static_cast<std::size_t>(m)];
          x.gross += amount_[r];
          x.sales += 1;
          if (c >= 0) {
            if (flags & kFirstSaleFlag) x.new_customers += 1;
            if (buyers) bought[pair_key(m, c)] += 1;
          }
          break;
        }
        case kFactReturn: {
          SaleSums& x = sums[static_cast<std::size_t>(m)];
          x.returned += amount_[r];
          x.returns += 1;
          break;
        }
        case kFactInteraction:
          cells.acc[static_cast<std::size_t>(m)].interactions += 1;
          if (coverage && c >= 0) contacted.insert(pair_key(m, c));
          break;
        case kFactCsat: {
          Acc& a = cells.acc[static_cast<std::size_t>(m)];
          a.csat_sum += amount_[r];
          a.csat_n += 1;
          break;
        }
        case kFactNps: {
          Acc& a = cells.acc[static_cast<std::size_t>(m)];
          a.nps_n += 1;
          if (amount_[r] >= 9) a.promoters += 1;
          if (amount_[r] <= 6) a.detractors += 1;
          break;
        }
      }
    });
    for (std::size_t m = 0; m < nm; ++m) {
      Acc& a = cells.acc[m];
      a.gross += sums[m].gross;
      a.returned += sums[m].returned;
      a.sales += sums[m].sales;
      a.returns += sums[m].returns;
      a.new_customers += sums[m].new_customers;
    }
    if (buyers) {
      for (const auto& [key, count] : bought) {
        Acc& a = cells.acc[key >> 32];
        a.buyers += 1;
        a.repeat_buyers += count >= 2 ? 1 : 0;
      }
    }
    if (coverage) {
      for (uint32_t m = 0; m < nm; ++m) {
        absl::flat_hash_set<uint32_t> owned = OwnedAt(m, cells.end);
        cells.acc[m].owned = static_cast<int64_t>(owned.size());
        for (uint32_t c : owned)
          cells.acc[m].contacted_owned +=
              contacted.contains(pair_key(static_cast<int32_t>(m), static_cast<int32_t>(c)));
      }
    }
    for (std::size_t i = 0; i < cells.custom.size(); ++i) {
      const CustomMetric& cm = custom_[static_cast<std::size_t>(cells.custom[i])];
      std::vector<absl::flat_hash_set<int64_t>> distinct(nm);
      for (const auto& [r, v] : cm.rows) {
        const int32_t d = day_[r];
        if (d < from || d > to || manager_[r] < 0 || (flags_[r] & kReversedFlag)) continue;
        const auto m = static_cast<std::size_t>(manager_[r]);
        AddCustom(cells.acc[m].custom[i], v, cm.def, distinct[m]);
      }
      for (std::size_t m = 0; m < nm; ++m) cells.acc[m].custom[i].distinct = static_cast<int64_t>(distinct[m].size());
    }
  }

  // Figures that come from the task and opportunity projections, per manager.
  absl::Status ComputeProjected(PeriodCells& cells) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    cells.projected.assign(managers_->size(), Acc{});
    if (cells.needs & kNeedTasks) {
      for (const TaskCounts& tc :
           tasks_->CountsByManager(cells.period.first_day(), cells.period.last_day() + 1, cells.end, tz())) {
        if (!tc.manager) continue;
        const uint32_t m = ManagerKey(*tc.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        cells.projected[m].tasks_due += tc.total;
        cells.projected[m].tasks_on_time += tc.done_on_time;
      }
    }
    if (cells.needs & kNeedOpps) {
      const absl::Time as_of = cells.end - absl::Nanoseconds(1);
      for (const Opportunity& o : opportunities_->All(as_of)) {
        if (!o.manager || !o.closed_at || *o.closed_at < cells.start || *o.closed_at >= cells.end) continue;
        const uint32_t m = ManagerKey(*o.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        cells.projected[m].closed += 1;
        cells.projected[m].won += o.outcome == StageOutcome::kWon ? 1 : 0;
      }
      CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(cells.period));
      CADRE_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(ws_, as_of));
      CADRE_ASSIGN_OR_RETURN(PipelineValueReport report, WeightedPipeline(*opportunities_, pipelines, *org, as_of));
      for (const ManagerPipelineValue& v : report.managers) {
        const uint32_t m = ManagerKey(v.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        cells.projected[m].weighted += v.value.weighted_minor;
      }
    }
    if (cells.needs & kNeedTraining) {
      // Requirements met as of the period's last day, by the courses, the
      // requirements and the org tree in force then (see docs/kpi.md); the
      // certifying ones (the course grants a certification) are also counted apart.
      const absl::CivilDay last = cells.period.last_day();
      CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(cells.period));
      CADRE_ASSIGN_OR_RETURN(TrainingConfig config, TrainingConfig::Load(ws_, last));
      absl::flat_hash_set<std::string> certifying;
      for (const Course& c : config.courses)
        if (c.certification) certifying.insert(c.id);
      CADRE_ASSIGN_OR_RETURN(TrainingReport report,
                             BuildTrainingReport(*training_, config, *org, {.as_of = last, .units = false}, tz()));
      for (const ManagerTraining& row : report.managers) {
        if (row.required == 0) continue;
        const uint32_t m = ManagerKey(row.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        Acc& acc = cells.projected[m];
        acc.training_met += row.met;
        acc.training_required += row.required;
        for (const RequirementState& r : row.requirements) {
          if (!certifying.contains(r.course)) continue;
          ++acc.certifications_required;
          if (r.status == RequirementStatus::kMet) ++acc.certifications_met;
        }
      }
    }
    if (cells.needs & kNeedCases) {
      // Complaints opened in the period, as of its end, by the case_slas rules in
      // force then, counted on the calendar "default" if there is one, else
      // round the clock (see docs/kpi.md).
      const absl::Time as_of = cells.end - absl::Nanoseconds(1);
      CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(cells.period));
      CADRE_ASSIGN_OR_RETURN(CaseSlaPolicy policy, CaseSlaPolicy::Load(ws_, as_of));
      BusinessCalendar calendar = AlwaysOpenCalendar();
      absl::StatusOr<Document> doc = ws_.Get(BusinessCalendar::kCollection, "default", as_of);
      if (doc.ok()) {
        CADRE_ASSIGN_OR_RETURN(calendar, json::FromText<BusinessCalendar>(doc->body, "calendars"));
      } else if (!absl::IsNotFound(doc.status())) {
        return doc.status();
      }
      CADRE_ASSIGN_OR_RETURN(BusinessClock clock, BusinessClock::Create(calendar, tz()));
      // One report gives both complaint figures: the resolution SLA and the
      // business time to first response (whole seconds, waits left out).
      CaseReportRequest request{.from = cells.start, .until = cells.end, .units = false, .type = CaseType::kComplaint};
      CADRE_ASSIGN_OR_RETURN(CaseReport report, BuildCaseReport(*cases_, *ownership_, *org, clock, policy, request));
      for (const CaseFigures& f : report.managers) {
        const int64_t resolved = f.resolved_in_sla + f.resolved_late;
        if (resolved == 0 && f.first_response.count == 0) continue;
        const uint32_t m = ManagerKey(*f.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        Acc& acc = cells.projected[m];
        acc.complaints_in_sla += f.resolved_in_sla;
        acc.complaints_resolved += resolved;
        acc.first_response_seconds += f.first_response.total_seconds;
        acc.first_responses += f.first_response.count;
      }
    }
    if (cells.needs & kNeedSops) {
      // Steps falling due in the period, as evaluated at its end.
      CADRE_ASSIGN_OR_RETURN(std::vector<SopOnTimeRow> rows, sops_->SopOnTime(cells.start, cells.end, cells.end));
      for (const SopOnTimeRow& r : rows) {
        if (r.due == 0) continue;
        const uint32_t m = ManagerKey(r.manager);
        if (m >= cells.projected.size()) cells.projected.resize(m + 1);
        cells.projected[m].sop_met += r.met;
        cells.projected[m].sop_due += r.due;
      }
    }
    // Interning may have grown the managers.
    if (cells.acc.size() < managers_->size()) cells.acc.resize(managers_->size());
    cells.opps_mark = opportunities_->high_water_mark();
    cells.tasks_mark = tasks_->high_water_mark();
    cells.training_mark = training_->high_water_mark();
    cells.cases_mark = cases_->high_water_mark();
    cells.sops_mark = sops_mark_;
    cells.projections_done = true;
    return absl::OkStatus();
  }

  // The cells of a period for a plan: cached and refreshed, or (recompute) built
  // afresh in one pass.
  absl::StatusOr<PeriodCells*> Cells(const Period& period, const Plan& plan, bool recompute,
                                     std::unique_ptr<PeriodCells>& scratch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    SyncManagerSlots();  // owners interned by a projection's catch-up since the last call
    std::string key = absl::StrCat(period.ToString(), "|", plan.needs, "|", absl::StrJoin(plan.custom, ","));
    PeriodCells* cells = nullptr;
    if (recompute) {
      scratch = std::make_unique<PeriodCells>();
      cells = scratch.get();
    } else {
      std::unique_ptr<PeriodCells>& slot = cells_[key];
      if (slot == nullptr) slot = std::make_unique<PeriodCells>();
      cells = slot.get();
    }
    const bool fresh = cells->generation == 0;
    if (fresh) {
      cells->period = period;
      cells->from_day = DayNumber(period.first_day());
      cells->to_day = DayNumber(period.last_day());
      cells->start = period.Start(tz());
      cells->end = period.End(tz());
      cells->needs = plan.needs;
      cells->custom = plan.custom;
    }
    if (fresh) {
      ComputeAll(*cells);
    } else if (cells->generation < generation_) {
      if (cells->acc.size() < managers_->size()) {
        const std::size_t old = cells->acc.size();
        cells->acc.resize(managers_->size());
        for (std::size_t m = old; m < cells->acc.size(); ++m) cells->acc[m].custom.resize(cells->custom.size());
      }
      for (uint32_t m = 0; m < managers_->size(); ++m)
        if (last_change_[m] > cells->generation) ComputeManager(*cells, m);
    }
    cells->generation = generation_;
    if (plan.needs & kProjectedNeeds) {
      CADRE_RETURN_IF_ERROR(CatchUpProjections(plan.needs));
      if (!cells->projections_done || cells->opps_mark != opportunities_->high_water_mark() ||
          cells->tasks_mark != tasks_->high_water_mark() || cells->training_mark != training_->high_water_mark() ||
          cells->cases_mark != cases_->high_water_mark() || cells->sops_mark != sops_mark_)
        CADRE_RETURN_IF_ERROR(ComputeProjected(*cells));
    }
    if (cells->acc.size() < managers_->size()) {
      const std::size_t old = cells->acc.size();
      cells->acc.resize(managers_->size());
      for (std::size_t m = old; m < cells->acc.size(); ++m) cells->acc[m].custom.resize(cells->custom.size());
    }
    return cells;
  }

  // ---- Plans, values, targets --------------------------------------------------

  absl::Status AddToPlan(Plan& plan, const std::string& id, absl::flat_hash_map<std::string, int32_t>& index,
                         std::vector<std::string>& trail) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (index.contains(id)) return absl::OkStatus();
    if (std::find(trail.begin(), trail.end(), id) != trail.end())
      return absl::FailedPreconditionError(
          absl::StrCat("metric \"", id, "\" depends on itself: ", absl::StrJoin(trail, " -> "), " -> ", id));
    PlanMetric pm;
    pm.id = id;
    if (const BuiltinMetric* b = FindBuiltinMetric(id)) {
      pm.kind = PlanMetric::Kind::kBuiltin;
      pm.builtin = static_cast<B>(b - BuiltinMetrics().data());
      pm.unit = b->unit;
      pm.higher_is_better = b->higher_is_better;
      pm.additive = b->unit == MetricUnit::kMoney || b->unit == MetricUnit::kCount;
      if (pm.builtin == B::kAov) pm.additive = false;
      plan.needs |= NeedOf(pm.builtin);
    } else {
      auto it = config_.metrics.find(id);
      if (it == config_.metrics.end()) {
        if (trail.empty())
          return FieldError(absl::StatusCode::kNotFound, "metrics",
                            "no such metric (neither a built-in nor a metrics document)", QuoteJson(id));
        return absl::FailedPreconditionError(absl::StrCat("metric \"", trail.back(), "\" uses \"", id,
                                                          "\", which is neither a built-in nor a metrics document"));
      }
      const MetricDefinition& def = it->second;
      pm.unit = def.unit;
      pm.higher_is_better = def.higher_is_better;
      if (def.aggregate) {
        pm.kind = PlanMetric::Kind::kCustom;
        const int32_t ci = custom_index_.at(id);
        auto slot = std::find(plan.custom.begin(), plan.custom.end(), ci);
        pm.custom_slot = static_cast<int32_t>(slot - plan.custom.begin());
        if (slot == plan.custom.end()) plan.custom.push_back(ci);
        pm.additive = *def.aggregate == Aggregate::kSum || *def.aggregate == Aggregate::kCount ||
                      *def.aggregate == Aggregate::kDistinctCount;
      } else {
        pm.kind = PlanMetric::Kind::kDerived;
        auto f = formulas_.find(*def.formula);
        if (f == formulas_.end()) {
          CADRE_ASSIGN_OR_RETURN(
              kpi_internal::Formula compiled,
              kpi_internal::Formula::Compile(*def.formula, absl::StrCat("metrics.", id, ".formula")));
          f = formulas_.emplace(*def.formula, std::make_shared<kpi_internal::Formula>(std::move(compiled))).first;
        }
        pm.formula = f->second;
        pm.additive = false;
        trail.push_back(id);
        for (const std::string& v : pm.formula->variables()) {
          CADRE_RETURN_IF_ERROR(AddToPlan(plan, v, index, trail));
          pm.inputs.push_back(index.at(v));
        }
        trail.pop_back();
      }
    }
    index[id] = static_cast<int32_t>(plan.metrics.size());
    plan.metrics.push_back(std::move(pm));
    return absl::OkStatus();
  }

  absl::StatusOr<Plan> MakePlan(const ScorecardRequest& request, std::vector<double>* weights = nullptr,
                                std::vector<const ScorecardItem*>* items = nullptr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<std::string> ids = request.metrics;
    if (request.scorecard && !request.metrics.empty())
      return FieldError("metrics", "give a scorecard or metrics, not both");
    if (request.scorecard) {
      auto it = config_.scorecards.find(*request.scorecard);
      if (it == config_.scorecards.end())
        return FieldError(absl::StatusCode::kNotFound, "scorecard", "no such scorecard", QuoteJson(*request.scorecard));
      ids.clear();
      for (const ScorecardItem& item : it->second.items) {
        ids.push_back(item.metric);
        if (weights) weights->push_back(static_cast<double>(item.weight.units()) / Decimal::kOne);
        if (items) items->push_back(&item);
      }
    } else if (weights) {
      weights->assign(ids.size(), 1.0);
      if (items) items->assign(ids.size(), nullptr);
    }
    if (ids.empty()) return FieldError("metrics", "name a scorecard or at least one metric", "[]");
    Plan plan;
    absl::flat_hash_map<std::string, int32_t> index;
    std::vector<std::string> trail;
    for (const std::string& id : ids) {
      CADRE_RETURN_IF_ERROR(AddToPlan(plan, id, index, trail));
      plan.outputs.push_back(index.at(id));
    }
    return plan;
  }

  // Every plan metric's (pair, value) for one accumulated subject.
  struct Values {
    std::vector<Pair> pairs;
    std::vector<std::optional<double>> values;
  };

  void Evaluate(const Plan& plan, const Acc& a, Values& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    out.pairs.assign(plan.metrics.size(), Pair{});
    out.values.assign(plan.metrics.size(), std::nullopt);
    std::vector<std::optional<double>>& args = scratch_args_;
    for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
      const PlanMetric& pm = plan.metrics[i];
      switch (pm.kind) {
        case PlanMetric::Kind::kBuiltin:
          out.pairs[i] = BuiltinPair(pm.builtin, a);
          out.values[i] = Quotient(out.pairs[i]);
          break;
        case PlanMetric::Kind::kCustom: {
          const CustomAcc& ca = a.custom[static_cast<std::size_t>(pm.custom_slot)];
          const MetricDefinition& def =
              custom_[static_cast<std::size_t>(plan.custom[static_cast<std::size_t>(pm.custom_slot)])].def;
          switch (*def.aggregate) {
            case Aggregate::kSum:
              out.pairs[i] = {ca.sum, 1};
              break;
            case Aggregate::kCount:
              out.pairs[i] = {ca.count, 1};
              break;
            case Aggregate::kDistinctCount:
              out.pairs[i] = {ca.distinct, 1};
              break;
            case Aggregate::kAverage:
              out.pairs[i] = {ca.sum, ca.count};
              break;
            case Aggregate::kMin:
              out.pairs[i] = {ca.min, ca.any ? 1 : 0};
              break;
            case Aggregate::kMax:
              out.pairs[i] = {ca.max, ca.any ? 1 : 0};
              break;
          }
          out.values[i] = Quotient(out.pairs[i]);
          // Scores are held in units of 10^-9.
          if (out.values[i] && def.field == MetricField::kScore) *out.values[i] /= static_cast<double>(Decimal::kOne);
          break;
        }
        case PlanMetric::Kind::kDerived: {
          args.clear();
          for (int32_t in : pm.inputs) args.push_back(out.values[static_cast<std::size_t>(in)]);
          out.values[i] = pm.formula->Evaluate(args);
          break;
        }
      }
    }
  }

  static std::optional<double> ToDouble(const std::optional<Decimal>& d) {
    if (!d) return std::nullopt;
    return static_cast<double>(d->units()) / static_cast<double>(Decimal::kOne);
  }

  // One period's target documents of one metric, by manager or unit id.
  using TargetMap = absl::flat_hash_map<std::string, Target>;

  // A manager's target document, and an absolute one's value read ahead.
  struct ManagerTarget {
    const Target* doc = nullptr;  // null: none
    bool absolute = false;        // basis absolute: `value` is the document's value
    bool prorate = false;         // by the share of the period employed
    std::optional<double> value;
  };

  // Per org tree: its managers' keys and employment days as integers, so that a
  // scorecard's rows need no string lookups and no civil-time arithmetic.
  struct OrgRows {
    std::size_t interned = SIZE_MAX;   // managers_->size() the keys were computed at
    std::vector<int32_t> key;          // per org manager index: manager key, or -1
    std::vector<int32_t> hired, left;  // day numbers; INT32_MIN / INT32_MAX when absent
    std::vector<uint8_t> in_tree;      // per manager key
    // Per managers' target table of a period: each org manager's target, by
    // org index, so a scorecard row reads an array, not a hash map and a document.
    absl::flat_hash_map<const TargetMap*, std::vector<ManagerTarget>> targets;
  };

  const OrgRows& RowsOf(const OrgTree& org) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    OrgRows& r = org_rows_[&org];
    const std::vector<Manager>& ms = org.managers();
    if (r.hired.size() != ms.size()) {
      r.hired.resize(ms.size());
      r.left.resize(ms.size());
      for (std::size_t i = 0; i < ms.size(); ++i) {
        r.hired[i] = ms[i].hired_on ? DayNumber(*ms[i].hired_on) : INT32_MIN;
        r.left[i] = ms[i].left_on ? DayNumber(*ms[i].left_on) : INT32_MAX;
      }
    }
    if (r.interned != managers_->size()) {
      r.interned = managers_->size();
      r.key.assign(ms.size(), -1);
      r.in_tree.assign(managers_->size(), 0);
      for (std::size_t i = 0; i < ms.size(); ++i) {
        if (std::optional<uint32_t> k = managers_->Find(ms[i].id)) {
          r.key[i] = static_cast<int32_t>(*k);
          r.in_tree[*k] = 1;
        }
      }
    }
    return r;
  }

  // The target of each manager of `org` in a managers' target table, by org index.
  const std::vector<ManagerTarget>& OrgTargets(const OrgTree& org, const TargetMap& map)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    OrgRows& r = org_rows_[&org];
    auto [it, added] = r.targets.try_emplace(&map);
    if (added) {
      const std::vector<Manager>& ms = org.managers();
      it->second.assign(ms.size(), ManagerTarget{});
      for (std::size_t i = 0; i < ms.size(); ++i) {
        auto jt = map.find(ms[i].id);
        if (jt == map.end()) continue;
        const Target& t = jt->second;
        ManagerTarget& mt = it->second[i];
        mt.doc = &t;
        mt.absolute = t.basis == TargetBasis::kAbsolute;
        mt.prorate = t.proration == Proration::kEmployedDays;
        if (mt.absolute) mt.value = ToDouble(t.value);
      }
    }
    return it->second;
  }

  static int64_t EmployedDaysAt(const OrgRows& r, std::size_t i, int32_t from, int32_t to) {
    const int32_t a = std::max(from, r.hired[i]), b = std::min(to, r.left[i]);
    return b < a ? 0 : static_cast<int64_t>(b) - a + 1;
  }

  // The target documents of each plan metric for one period: (managers', units').
  using TargetTables = std::vector<std::pair<const TargetMap*, const TargetMap*>>;

  TargetTables TablesFor(const Plan& plan, const Period& period) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    TargetTables tables(plan.metrics.size(), {nullptr, nullptr});
    if (!config_.any_targets) return tables;
    const std::string text = period.ToString();
    for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
      const std::string key = TargetKey(plan.metrics[i].id, text);
      if (auto it = config_.manager_targets.find(key); it != config_.manager_targets.end())
        tables[i].first = &it->second;
      if (auto it = config_.unit_targets.find(key); it != config_.unit_targets.end()) tables[i].second = &it->second;
    }
    return tables;
  }

  // The target of one metric for a manager (unit == false) or unit in a period.
  // `employed`: for a manager, the share of the period they were employed;
  // `org_index`: the manager's index in `org`, or -1 when not in it.
  absl::StatusOr<std::optional<double>> TargetFor(const Plan& plan, const TargetTables& tables, int32_t metric,
                                                  std::string_view subject, bool unit, const Period& period,
                                                  const OrgTree& org, int depth, double employed = 1.0,
                                                  std::ptrdiff_t org_index = -1) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!config_.any_targets) return std::nullopt;
    const PlanMetric& pm = plan.metrics[static_cast<std::size_t>(metric)];
    const TargetMap* table =
        unit ? tables[static_cast<std::size_t>(metric)].second : tables[static_cast<std::size_t>(metric)].first;
    const Target* t = nullptr;
    if (table != nullptr && !unit && org_index >= 0) {
      const ManagerTarget& mt = OrgTargets(org, *table)[static_cast<std::size_t>(org_index)];
      if (mt.absolute) {
        std::optional<double> value = mt.value;
        if (value && mt.prorate) *value *= employed;
        return value;
      }
      t = mt.doc;
    } else if (table != nullptr) {
      auto jt = table->find(AbslView(subject));
      if (jt != table->end()) t = &jt->second;
    }
    if (t == nullptr) {
      if (!unit || !pm.additive) return std::nullopt;
      // A unit without its own target: the sum of its managers' targets.
      if (table == nullptr && tables[static_cast<std::size_t>(metric)].first == nullptr) return std::nullopt;
      CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, org.ManagersIn(subject));
      const OrgRows& rows = RowsOf(org);
      const int32_t from = DayNumber(period.first_day()), to = DayNumber(period.last_day());
      const double days = static_cast<double>(to - from + 1);
      std::optional<double> sum;
      std::vector<std::optional<std::optional<double>>>* memo = nullptr;
      if (member_targets_ != nullptr && depth == 0 && member_targets_->org == &org &&
          member_targets_->period == period) {
        auto& by_metric = member_targets_->by_metric;
        if (by_metric.size() < plan.metrics.size()) by_metric.resize(plan.metrics.size());
        memo = &by_metric[static_cast<std::size_t>(metric)];
        if (memo->size() != org.managers().size()) memo->assign(org.managers().size(), std::nullopt);
      }
      for (const Manager* m : staff) {
        const auto i = static_cast<std::size_t>(m - org.managers().data());
        if (memo != nullptr && (*memo)[i]) {
          if (*(*memo)[i]) sum = sum.value_or(0) + **(*memo)[i];
          continue;
        }
        CADRE_ASSIGN_OR_RETURN(
            std::optional<double> v,
            TargetFor(plan, tables, metric, m->id, false, period, org, depth,
                      static_cast<double>(EmployedDaysAt(rows, i, from, to)) / days, static_cast<std::ptrdiff_t>(i)));
        if (memo != nullptr) (*memo)[i] = v;
        if (v) sum = sum.value_or(0) + *v;
      }
      return sum;
    }
    std::optional<double> value;
    if (t->basis == TargetBasis::kAbsolute) {
      value = ToDouble(t->value);
    } else {
      if (depth > 4) return std::nullopt;  // growth over growth over ...: stop
      const Period base =
          t->basis == TargetBasis::kGrowthOverLastYear ? period.SamePeriodLastYear() : period.Previous();
      CADRE_ASSIGN_OR_RETURN(std::optional<double> actual, ActualFor(plan, metric, subject, unit, base));
      if (actual) value = *actual * (1.0 + *ToDouble(t->growth));
    }
    if (value && !unit && t->proration == Proration::kEmployedDays) *value *= employed;
    return value;
  }

  // One subject's value of a plan metric in a period (for growth targets).
  absl::StatusOr<std::optional<double>> ActualFor(const Plan& plan, int32_t metric, std::string_view subject, bool unit,
                                                  const Period& period) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::unique_ptr<PeriodCells> scratch;
    CADRE_ASSIGN_OR_RETURN(PeriodCells * cells, Cells(period, plan, false, scratch));
    Acc a;
    a.custom.resize(plan.custom.size());
    if (unit) {
      CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(period));
      CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, org->ManagersIn(subject));
      for (const Manager* m : staff) AddManager(*cells, m->id, a);
    } else {
      AddManager(*cells, subject, a);
    }
    Values v;
    Evaluate(plan, a, v);
    return v.values[static_cast<std::size_t>(metric)];
  }

  // One manager's cells: a reference into `cells` when nothing needs adding to them.
  const Acc& ManagerAcc(const PeriodCells& cells, std::optional<uint32_t> k, const Acc& empty, Acc& scratch) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (!k || *k >= cells.acc.size()) return empty;
    if (*k >= cells.projected.size()) return cells.acc[*k];
    scratch = cells.acc[*k];
    scratch.Add(cells.projected[*k]);
    return scratch;
  }

  void AddManager(const PeriodCells& cells, std::string_view id, Acc& into) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (std::optional<uint32_t> m = managers_->Find(id)) AddKey(cells, *m, into);
  }
  static void AddKey(const PeriodCells& cells, uint32_t m, Acc& into) {
    if (m < cells.acc.size()) into.Add(cells.acc[m]);
    if (m < cells.projected.size()) into.Add(cells.projected[m]);
  }

  static void Score(Figure& f, const PlanMetric& pm, const ScorecardItem* item) {
    if (!f.target) return;
    const double floor = item ? static_cast<double>(item->floor.units()) / Decimal::kOne : 0.0;
    const double cap = item ? static_cast<double>(item->cap.units()) / Decimal::kOne : 1.5;
    if (!f.value) return;
    if (pm.higher_is_better) {
      if (*f.target == 0) return;
      f.attainment = *f.value / *f.target;
    } else {
      if (*f.value == 0) {
        if (*f.target > 0) f.score = cap;
        return;
      }
      f.attainment = *f.target / *f.value;
    }
    f.score = std::clamp(*f.attainment, floor, cap);
  }

  absl::StatusOr<ScorecardRow> MakeRow(const Plan& plan, const TargetTables& tables, const std::vector<double>& weights,
                                       const std::vector<const ScorecardItem*>& items, std::string subject, bool unit,
                                       const Acc& acc, const Acc* previous, const Period& period, const OrgTree& org,
                                       double employed = 1.0, std::ptrdiff_t org_index = -1)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ScorecardRow row;
    Values& now = scratch_now_;
    Values& before = scratch_before_;
    Evaluate(plan, acc, now);
    if (previous) Evaluate(plan, *previous, before);
    row.figures.resize(plan.outputs.size());
    double weighted = 0, weight_sum = 0;
    for (std::size_t j = 0; j < plan.outputs.size(); ++j) {
      const auto i = static_cast<std::size_t>(plan.outputs[j]);
      const PlanMetric& pm = plan.metrics[i];
      Figure& f = row.figures[j];
      f.value = now.values[i];
      if (pm.kind != PlanMetric::Kind::kDerived) {
        f.numerator = now.pairs[i].num;
        f.denominator = now.pairs[i].den;
      }
      if (previous) {
        f.previous = before.values[i];
        if (f.value && f.previous && *f.previous != 0) f.change = *f.value / *f.previous - 1.0;
      }
      CADRE_ASSIGN_OR_RETURN(
          f.target, TargetFor(plan, tables, plan.outputs[j], subject, unit, period, org, 0, employed, org_index));
      Score(f, pm, items[j]);
      if (f.score) {
        weighted += weights[j] * *f.score;
        weight_sum += weights[j];
      }
    }
    if (weight_sum > 0) row.total = weighted / weight_sum;
    row.subject = std::move(subject);
    return row;
  }

  absl::StatusOr<Scorecard> BuildScorecard(const ScorecardRequest& request, bool recompute)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    CADRE_RETURN_IF_ERROR(LoadConfig());
    Scorecard card;
    std::vector<const ScorecardItem*> items;
    CADRE_ASSIGN_OR_RETURN(Plan plan, MakePlan(request, &card.weights, &items));
    const Period& period = request.period;
    card.period = period.ToString();
    card.scorecard = request.scorecard;
    for (int32_t o : plan.outputs) card.metrics.push_back(plan.metrics[static_cast<std::size_t>(o)].id);

    CADRE_ASSIGN_OR_RETURN(const OrgTree* org, OrgAt(period));
    std::unique_ptr<PeriodCells> scratch_now, scratch_before;
    CADRE_ASSIGN_OR_RETURN(PeriodCells * cells, Cells(period, plan, recompute, scratch_now));
    PeriodCells* before = nullptr;
    if (request.compare_previous) {
      CADRE_ASSIGN_OR_RETURN(before, Cells(period.Previous(), plan, recompute, scratch_before));
    }

    // Which managers: those of the org tree employed during the period, and any
    // other manager credited with facts in it; narrowed by the request.
    if (request.manager && !managers_->Find(*request.manager) && org->FindManager(*request.manager) == nullptr)
      return ManagerNotFound(*request.manager);
    const OrgUnit* top = nullptr;
    if (request.unit) {
      top = org->FindUnit(*request.unit);
      if (top == nullptr)
        return FieldError(absl::StatusCode::kNotFound, "unit", "no such unit in the org tree of the period",
                          QuoteJson(*request.unit));
    }
    absl::flat_hash_set<std::string_view> allowed(request.managers.begin(), request.managers.end());
    auto wanted = [&](std::string_view id) {
      if (request.manager && id != *request.manager) return false;
      if (!allowed.empty() && !allowed.contains(id)) return false;
      return true;
    };
    // Rows: (id, manager document or null, key or -1, share of the period employed).
    struct RowRef {
      std::string_view id;
      const Manager* mgr;
      int32_t key;
      double employed;
    };
    const OrgRows& org_rows = RowsOf(*org);
    const int32_t from = cells->from_day, to = cells->to_day;
    const double days = static_cast<double>(to - from + 1);
    auto active = [&](int32_t key) {
      if (key < 0 || static_cast<std::size_t>(key) >= cells->acc.size()) return false;
      const Acc& a = cells->acc[static_cast<std::size_t>(key)];
      return a.sales || a.returns || a.interactions || a.csat_n || a.nps_n;
    };
    std::vector<RowRef> rows;
    auto consider = [&](std::size_t i) {
      const Manager& m = org->managers()[i];
      const int64_t employed = EmployedDaysAt(org_rows, i, from, to);
      // A manager shows while employed, and after leaving while facts are still credited to them.
      if ((employed > 0 || active(org_rows.key[i])) && wanted(m.id))
        rows.push_back(RowRef{m.id, &m, org_rows.key[i], static_cast<double>(employed) / days});
    };
    if (top != nullptr) {
      CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, org->ManagersIn(top->id));
      for (const Manager* m : staff) consider(static_cast<std::size_t>(m - org->managers().data()));
    } else {
      for (std::size_t i = 0; i < org->managers().size(); ++i) consider(i);
      if (!request.manager || org->FindManager(*request.manager) == nullptr) {
        const std::size_t in_tree = rows.size();
        for (uint32_t k = 0; k < managers_->size() && k < cells->acc.size(); ++k) {
          if (k < org_rows.in_tree.size() && org_rows.in_tree[k]) continue;
          std::string_view id = managers_->Name(k);
          if (!wanted(id) || !active(static_cast<int32_t>(k))) continue;
          rows.push_back(RowRef{id, nullptr, static_cast<int32_t>(k), 1.0});
        }
        if (rows.size() != in_tree)
          std::sort(rows.begin(), rows.end(), [](const RowRef& a, const RowRef& b) { return a.id < b.id; });
      }
    }
    if (request.manager && rows.empty()) {
      std::optional<uint32_t> k = managers_->Find(*request.manager);
      rows.push_back(
          RowRef{*request.manager, org->FindManager(*request.manager), k ? static_cast<int32_t>(*k) : -1, 0.0});
    }

    const TargetTables tables = TablesFor(plan, period);
    Acc empty;
    empty.custom.resize(plan.custom.size());
    Acc scratch_a, scratch_b;
    auto build_row = [&](const RowRef& r) -> absl::StatusOr<ScorecardRow> {
      std::optional<uint32_t> k;
      if (r.key >= 0) k = static_cast<uint32_t>(r.key);
      const Acc& a = ManagerAcc(*cells, k, empty, scratch_a);
      const Acc& b = before ? ManagerAcc(*before, k, empty, scratch_b) : empty;
      CADRE_ASSIGN_OR_RETURN(ScorecardRow row, MakeRow(plan, tables, card.weights, items, std::string(r.id), false, a,
                                                       before ? &b : nullptr, period, *org, r.employed,
                                                       r.mgr ? r.mgr - org->managers().data() : -1));
      if (r.mgr) row.team = r.mgr->team;
      return row;
    };
    auto build_units = [&](std::vector<ScorecardRow>& out) -> absl::Status {
      out.clear();
      if (!request.units_rollup || request.manager || !allowed.empty() || org->root() == nullptr)
        return absl::OkStatus();
      CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> units, org->Subtree(top ? top->id : org->root()->id));
      // Kept between calls: its arrays are large enough to cost fresh pages.
      MemberTargets& memo = member_targets_store_;
      memo.org = org;
      memo.period = period;
      for (auto& per_manager : memo.by_metric) per_manager.clear();
      member_targets_ = &memo;
      absl::Cleanup forget = [this] { member_targets_ = nullptr; };
      const OrgRows& keys = RowsOf(*org);
      for (const OrgUnit* u : units) {
        CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, org->ManagersIn(u->id));
        Acc a = empty, b = empty;
        for (const Manager* m : staff) {
          const int32_t k = keys.key[static_cast<std::size_t>(m - org->managers().data())];
          if (k < 0) continue;
          AddKey(*cells, static_cast<uint32_t>(k), a);
          if (before) AddKey(*before, static_cast<uint32_t>(k), b);
        }
        CADRE_ASSIGN_OR_RETURN(ScorecardRow row, MakeRow(plan, tables, card.weights, items, u->id, true, a,
                                                         before ? &b : nullptr, period, *org));
        out.push_back(std::move(row));
      }
      return absl::OkStatus();
    };

    // A scorecard asked before is kept: only the rows of managers whose facts
    // changed since are rebuilt (figures from the task and opportunity
    // projections are not tracked per manager, so those are rebuilt whole).
    std::vector<int32_t> keys;
    keys.reserve(rows.size());
    for (const RowRef& r : rows) keys.push_back(r.key);
    CardCache* cached = nullptr;
    if (!recompute && !(plan.needs & kProjectedNeeds)) {
      cached = &cards_[absl::StrCat(card.period, "|", request.scorecard.value_or(""), "|",
                                    absl::StrJoin(request.metrics, ","), "|", request.manager.value_or(""), "|",
                                    request.unit.value_or(""), "|", absl::StrJoin(request.managers, ","), "|",
                                    request.units_rollup, request.compare_previous)];
      if (cached->valid && cached->row_keys == keys) {
        if (cached->generation != generation_) {
          for (std::size_t i = 0; i < rows.size(); ++i) {
            const int32_t k = rows[i].key;
            if (k < 0 || last_change_[static_cast<std::size_t>(k)] <= cached->generation) continue;
            CADRE_ASSIGN_OR_RETURN(cached->card.managers[i], build_row(rows[i]));
          }
          CADRE_RETURN_IF_ERROR(build_units(cached->card.units));
          cached->generation = generation_;
        }
        return cached->card;
      }
      cached->valid = false;
    }
    card.managers.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // Rows go by id, cells by key: ask for a later row's cells ahead.
      constexpr std::size_t kAhead = 8;
      if (i + kAhead < rows.size()) {
        const int32_t k = rows[i + kAhead].key;
        if (k >= 0 && static_cast<std::size_t>(k) < cells->acc.size())
          __builtin_prefetch(&cells->acc[static_cast<std::size_t>(k)]);
      }
      CADRE_ASSIGN_OR_RETURN(ScorecardRow row, build_row(rows[i]));
      card.managers.push_back(std::move(row));
    }
    CADRE_RETURN_IF_ERROR(build_units(card.units));
    if (cached != nullptr) {
      cached->card = card;
      cached->row_keys = std::move(keys);
      cached->generation = generation_;
      cached->valid = true;
    }
    return card;
  }

  const Workspace& ws_;
  mutable absl::Mutex mu_;
  uint64_t mark_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;

  // Fact columns, in log order.
  kpi_internal::SeqColumn seq_ ABSL_GUARDED_BY(mu_);
  kpi_internal::TimeColumn at_ ABSL_GUARDED_BY(mu_);  // occurred_at, Unix ns (saturated); read with AtNanos
  kpi_internal::DayColumn day_ ABSL_GUARDED_BY(mu_);  // civil day in the workspace zone, days since 1970-01-01
  std::vector<uint8_t> kind_ ABSL_GUARDED_BY(mu_);
  std::vector<uint8_t> flags_ ABSL_GUARDED_BY(mu_);
  std::vector<int32_t> manager_ ABSL_GUARDED_BY(mu_);       // credited; -1: nobody
  std::vector<int32_t> customer_ ABSL_GUARDED_BY(mu_);      // -1: none
  kpi_internal::AmountColumn amount_ ABSL_GUARDED_BY(mu_);  // money, or the survey score

  // Pointers: Interner can be neither copied nor moved, Reset replaces them, and
  // the ownership projection shares them (one key per customer and manager, and
  // owners asked for by key; every use is under mu_).
  std::shared_ptr<Interner> managers_ ABSL_GUARDED_BY(mu_) = std::make_shared<Interner>();
  std::shared_ptr<Interner> customers_ ABSL_GUARDED_BY(mu_) = std::make_shared<Interner>();
  std::vector<std::vector<uint32_t>> manager_rows_ ABSL_GUARDED_BY(mu_);  // by (day, row)
  static constexpr uint32_t kNoRow = UINT32_MAX;
  std::vector<std::vector<uint32_t>> assigned_ ABSL_GUARDED_BY(mu_);  // per manager: customers ever assigned
  std::vector<uint32_t> first_sale_ ABSL_GUARDED_BY(mu_);             // per customer: row, kNoRow none
  std::vector<uint64_t> last_change_ ABSL_GUARDED_BY(mu_);            // per manager: generation

  std::vector<CustomMetric> custom_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int32_t> custom_index_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<kpi_internal::Formula>> formulas_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<PeriodCells>> cells_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<OrgTree>> org_ ABSL_GUARDED_BY(mu_);
  // Node-based: RowsOf hands out references that must survive a later insertion.
  absl::node_hash_map<const OrgTree*, OrgRows> org_rows_ ABSL_GUARDED_BY(mu_);
  struct CardCache {
    bool valid = false;
    uint64_t generation = 0;        // facts' generation the rows reflect
    std::vector<int32_t> row_keys;  // manager key per manager row
    Scorecard card;
  };
  absl::flat_hash_map<std::string, CardCache> cards_ ABSL_GUARDED_BY(mu_);
  ConfigState config_ ABSL_GUARDED_BY(mu_);
  // Buffers reused by every row of a scorecard.
  Values scratch_now_ ABSL_GUARDED_BY(mu_), scratch_before_ ABSL_GUARDED_BY(mu_);
  // While one scorecard's unit rows are built: each org manager's own target per
  // plan metric, computed once instead of once per unit above them (see TargetFor).
  struct MemberTargets {
    const OrgTree* org = nullptr;
    Period period = Period::Of(Granularity::kDay, kEpochDay);
    std::vector<std::vector<std::optional<std::optional<double>>>> by_metric;  // [metric][org index]
  };
  MemberTargets* member_targets_ ABSL_GUARDED_BY(mu_) = nullptr;
  MemberTargets member_targets_store_ ABSL_GUARDED_BY(mu_);
  std::vector<std::optional<double>> scratch_args_ ABSL_GUARDED_BY(mu_);
  // ComputeAll's per-manager sums of sales and returns, kept between calls.
  struct SaleSums {
    int64_t gross = 0, returned = 0, sales = 0, returns = 0, new_customers = 0;
  };
  std::vector<SaleSums> scratch_sums_ ABSL_GUARDED_BY(mu_);

  std::unique_ptr<OwnershipProjection> ownership_ ABSL_GUARDED_BY(mu_) =
      std::make_unique<OwnershipProjection>(customers_, managers_);
  std::unique_ptr<OpportunityProjection> opportunities_ ABSL_GUARDED_BY(mu_) =
      std::make_unique<OpportunityProjection>();
  std::unique_ptr<FollowUpProjection> tasks_ ABSL_GUARDED_BY(mu_) = std::make_unique<FollowUpProjection>();
  std::unique_ptr<TrainingProjection> training_ ABSL_GUARDED_BY(mu_) = std::make_unique<TrainingProjection>();
  std::unique_ptr<CaseProjection> cases_ ABSL_GUARDED_BY(mu_) = std::make_unique<CaseProjection>();
  std::unique_ptr<SopEngine> sops_ ABSL_GUARDED_BY(mu_) = std::make_unique<SopEngine>(ws_);
  uint64_t sops_mark_ ABSL_GUARDED_BY(mu_) = 0;  // the log's mark when the SOP engine last caught up
};

KpiEngine::KpiEngine(const Workspace& workspace) : impl_(std::make_unique<Impl>(workspace)) {}
KpiEngine::~KpiEngine() = default;

absl::Status KpiEngine::CatchUp() { return impl_->CatchUp(); }

absl::StatusOr<Scorecard> KpiEngine::GetScorecard(const ScorecardRequest& request) {
  return impl_->GetScorecard(request, false);
}

absl::StatusOr<Scorecard> KpiEngine::RecomputeScorecard(const ScorecardRequest& request) {
  return impl_->GetScorecard(request, true);
}

absl::StatusOr<Leaderboard> KpiEngine::GetLeaderboard(std::string_view metric, const Period& period,
                                                      std::optional<std::string> unit,
                                                      std::span<const std::string> managers, std::size_t limit) {
  return impl_->GetLeaderboard(metric, period, std::move(unit), managers, limit);
}

absl::StatusOr<std::vector<SeriesPoint>> KpiEngine::GetTimeSeries(std::string_view metric, std::string_view subject,
                                                                  bool subject_is_unit, const Period& first,
                                                                  int count) {
  return impl_->GetTimeSeries(metric, subject, subject_is_unit, first, count);
}

absl::StatusOr<std::vector<LineageEntry>> KpiEngine::Lineage(std::string_view metric, std::string_view manager,
                                                             const Period& period) {
  return impl_->Lineage(metric, manager, period);
}

void KpiEngine::Reset() { impl_->Reset(); }
std::size_t KpiEngine::facts_held() const { return impl_->facts_held(); }
std::size_t KpiEngine::FactBytes() const { return impl_->FactBytes(); }

}  // namespace cadre

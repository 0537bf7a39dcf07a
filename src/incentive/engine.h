// The incentive engine's state, shared by engine.cc (statements) and
// engine_close.cc (closed periods, adjustments, disputes). Private: the public
// face is cadre::IncentiveEngine.
#ifndef CADRE_SRC_INCENTIVE_ENGINE_H_
#define CADRE_SRC_INCENTIVE_ENGINE_H_

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cadre/incentive.h"
#include "cadre/kpi.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/training.h"
#include "incentive/calc.h"
#include "incentive/credits.h"
#include "incentive/exact.h"
#include "incentive/plan_book.h"

namespace cadre::incentive_internal {

// The credits behind one line, with the manager each is credited to (an
// overlay line holds other managers' credits).
using LineCredits = std::vector<std::pair<const Credit*, uint32_t>>;

// Not thread-safe: IncentiveEngine serialises every call.
class EngineState {
 public:
  // What a what-if run changes: `candidate` pays wherever plan `replaces` would.
  struct Simulation {
    std::string replaces;
    PlanVersion candidate;
  };

  // `kpi` (may be null: one is made when a plan first needs it) reads the same
  // workspace and outlives this state.
  EngineState(const Workspace& workspace, KpiEngine* kpi);
  // A simulation over `ledger` (caught up by its owner, not by this state):
  // every period is computed as if open, with no adjustments or disputes, and
  // `simulation` (when given) swaps the plan.
  EngineState(const Workspace& workspace, const CreditLedger& ledger, KpiEngine* kpi,
              std::optional<Simulation> simulation);
  // The KPI engine gates and bonuses read, made on first use.
  KpiEngine& kpi();
  ~EngineState();

  absl::Status CatchUp();
  absl::StatusOr<Statement> Get(std::string_view manager, const Period& period, const StatementOptions& options);
  absl::StatusOr<std::vector<Statement>> GetAll(const Period& period, std::span<const std::string> managers);

  // engine_close.cc
  absl::StatusOr<PeriodState> StateOf(const Period& period);
  absl::StatusOr<IncentivePeriod> Close(Workspace& workspace, const Period& period, std::string_view by,
                                        std::optional<std::string> reason);
  absl::StatusOr<IncentivePeriod> Reopen(Workspace& workspace, const Period& period, std::string_view by,
                                         std::string_view reason);
  absl::StatusOr<StatementDispute> Raise(Workspace& workspace, const StatementDispute& dispute);
  absl::StatusOr<StatementDispute> Resolve(Workspace& workspace, std::string_view id, bool accept,
                                           std::optional<int64_t> adjustment_minor, std::string_view resolution,
                                           std::string_view by);

  const CreditLedger& ledger() const { return ledger_; }

  // whatif.cc: the statements' totals per manager over the periods, for the
  // managers on plan `plan` in any of them (`scope` restricts them further).
  struct Totals {
    std::map<std::string, std::pair<std::optional<std::string>, int64_t>> by_manager;  // id -> (team, total)
  };
  absl::StatusOr<Totals> TotalsOnPlan(std::string_view plan, const std::vector<Period>& periods,
                                      std::span<const std::string> scope);

 private:
  // A statement as computed, with what its lines were computed from.
  struct Computed {
    Statement statement;
    std::vector<Exact> exact;          // per line: the exact amount
    std::vector<LineCredits> credits;  // per line (empty for frozen statements; see credits_collected)
    bool credits_collected = false;    // built while collecting: `credits` lists every line's credits
    bool frozen = false;               // read from a closed period's frozen statement
    // The statement was handed out (GetAll moves it rather than copy it):
    // `statement` keeps only what later statements read of it (every field but
    // the lines' traces and the notes); Get builds it again in full.
    bool trimmed = false;
    std::size_t own_lines = 0;  // the first own_lines lines are the period's own (not corrections, draws)
  };
  // What a period's statements read besides the credits, loaded once per
  // period. The tree and the targets come from documents and are kept until a
  // document is written; the figures and training come from events and are
  // dropped whenever new events arrive.
  struct PeriodFacts {
    OrgTree tree;  // at the end of the period's last day
    // metric -> manager -> the figure's (numerator, denominator)
    absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, std::pair<int64_t, int64_t>>> figures;
    std::unique_ptr<TrainingReport> training;
    bool targets_loaded = false;
    std::map<std::string, Target> targets;  // "<manager>\x1f<metric>"
  };
  struct PeriodRecord {
    IncentivePeriod doc;
    int64_t version = 0;
  };

  absl::StatusOr<Computed*> Compute(std::string_view manager, const Period& period);
  absl::StatusOr<std::unique_ptr<Computed>> Build(std::string_view manager, const Period& period);
  absl::Status OwnLines(const Manager& manager, const Period& period, const OrgTree& tree,
                        const std::vector<PlanSegment>& segments, std::vector<LineResult>& lines,
                        std::vector<LineCredits>& credits);
  absl::Status CommissionLines(const Manager& manager, const Period& period, const PlanSegment& seg,
                               std::size_t segments, const PlanComponent& c, const OrgTree& tree,
                               std::vector<LineResult>& lines, std::vector<LineCredits>& credits);
  absl::Status SpiffLine(const Manager& manager, const Period& period, const PlanSegment& seg, std::size_t segments,
                         const PlanComponent& c, std::vector<LineResult>& lines, std::vector<LineCredits>& credits);
  absl::Status BonusLine(const Manager& manager, const Period& period, const PlanSegment& seg, std::size_t segments,
                         const PlanComponent& c, std::vector<LineResult>& lines, std::vector<LineCredits>& credits);
  absl::StatusOr<std::vector<uint32_t>> CreditedManagers(const PlanComponent& c, const Manager& manager,
                                                         const OrgTree& tree);
  absl::StatusOr<Exact> RatePaid(const Manager& manager, const PlanComponent& c, absl::CivilDay sale_day,
                                 Granularity granularity);
  absl::StatusOr<Exact> PaidThisYear(const Manager& manager, const PlanComponent& c, const Period& period,
                                     RoundingScope scope);
  absl::StatusOr<std::vector<GateFacts>> GatherGates(const PlanComponent& c, const Period& period,
                                                     const Manager& manager);
  absl::StatusOr<std::optional<Exact>> ScorecardTotal(const Period& period, const Manager& manager,
                                                      std::string_view scorecard, std::vector<std::string>& notes);

  // The plan book's segments, with the simulated plan swapped in.
  absl::StatusOr<std::vector<PlanSegment>> SegmentsOf(const Manager& manager, const OrgTree& tree,
                                                      const Period& period);
  absl::StatusOr<PeriodFacts*> FactsOf(const Period& period);
  absl::StatusOr<const MetricDefinition*> DefinedMetric(std::string_view id);
  absl::StatusOr<std::optional<Exact>> MetricValue(const Period& period, std::string_view metric,
                                                   std::string_view manager, std::string_view used_by);
  absl::StatusOr<const ManagerTraining*> TrainingOf(const Period& period, std::string_view manager);
  absl::StatusOr<const Target*> TargetOf(const Period& period, std::string_view metric, std::string_view manager);

  // engine_close.cc
  absl::Status LoadPeriods();
  absl::StatusOr<std::unique_ptr<Computed>> Frozen(std::string_view manager, const Period& period);
  absl::StatusOr<std::vector<std::string>> FrozenManagers(const Period& period);
  absl::Status Corrections(const Manager& manager, const Period& period, std::vector<LineResult>& lines,
                           std::vector<LineCredits>& credits);
  absl::StatusOr<std::vector<LineResult>> LiveOwnLines(const Manager& manager, const Period& period,
                                                       std::vector<LineCredits>& credits);
  absl::StatusOr<std::optional<Period>> LastClosed(Granularity granularity);

  // While one lives, own lines list their credits (LineCredits): a statement
  // whose traces are expanded, and the live lines adjustments name late credits
  // from. Otherwise lines only count them, which keeps the year's statements
  // free of per-credit allocation.
  class CreditCollection {
   public:
    explicit CreditCollection(EngineState& state) : state_(state), before_(state.collect_credits_) {
      state_.collect_credits_ = true;
    }
    ~CreditCollection() { state_.collect_credits_ = before_; }
    CreditCollection(const CreditCollection&) = delete;
    CreditCollection& operator=(const CreditCollection&) = delete;

   private:
    EngineState& state_;
    bool before_;
  };

  const Workspace& ws_;
  bool collect_credits_ = false;
  std::unique_ptr<CreditLedger> owned_ledger_;  // null in a simulation, which reads its owner's
  const CreditLedger& ledger_;
  std::optional<Simulation> simulation_;
  bool simulating_ = false;
  PlanBook book_;
  std::unique_ptr<KpiEngine> owned_kpi_;
  KpiEngine* kpi_ = nullptr;  // the host's, the owner state's (simulations), or owned_kpi_
  std::unique_ptr<TrainingProjection> training_;
  uint64_t generation_ = 0;
  bool caught_up_ = false;
  std::optional<absl::CivilDay> first_day_;  // the earliest credited day

  // (the period's first day number × 8 + its granularity, manager id)
  using MemoKey = std::pair<int64_t, std::string>;
  absl::flat_hash_map<MemoKey, std::unique_ptr<Computed>> computed_;  // null: no statement
  absl::flat_hash_set<MemoKey> in_progress_;
  // Overlay credit: (the period's tree, lead) -> the ledger indexes of the
  // managers in the units the lead leads.
  absl::flat_hash_map<std::pair<const OrgTree*, std::string>, std::vector<uint32_t>> overlay_members_;
  absl::flat_hash_map<std::string, std::unique_ptr<PeriodFacts>> periods_;
  absl::flat_hash_map<std::string, std::unique_ptr<MetricDefinition>> metrics_;  // null: not defined
  bool periods_loaded_ = false;
  std::map<std::string, PeriodRecord> period_states_;  // by period text
  bool disputes_loaded_ = false;
  absl::flat_hash_map<std::string, std::vector<std::pair<StatementDispute, std::string>>>
      accepted_;  // manager -> (accepted dispute, the period it lands in)
};

}  // namespace cadre::incentive_internal

namespace cadre {

class IncentiveEngine::Impl {
 public:
  Impl(const Workspace& workspace, KpiEngine* kpi) : ws(workspace), state(workspace, kpi) {}
  const Workspace& ws;
  absl::Mutex mu;
  incentive_internal::EngineState state ABSL_GUARDED_BY(mu);
};

}  // namespace cadre

#endif  // CADRE_SRC_INCENTIVE_ENGINE_H_

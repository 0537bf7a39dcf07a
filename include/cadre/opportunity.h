// cadre/opportunity.h — opportunities and the sales pipeline.
//
// An opportunity is a possible sale to one customer that moves through the
// stages of a pipeline (a Pipeline document, collection "pipelines") until it is
// won or lost. Each move is an `opportunity` event; the first one opens it. The
// OpportunityProjection folds those events into each opportunity's state and
// stage history, answerable as of any instant; the free functions below turn it
// into pipeline figures: weighted pipeline value per manager and org unit, stage
// conversion and time in stage.
//
//   OwnershipProjection ownership;
//   OpportunityProjection opportunities;
//   CADRE_RETURN_IF_ERROR(opportunities.CatchUp(*workspace, ownership));  // catches ownership up too
//   CADRE_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(*workspace, as_of));
//   CADRE_ASSIGN_OR_RETURN(OrgTree org, OrgTree::Load(*workspace, as_of));
//   CADRE_ASSIGN_OR_RETURN(PipelineValueReport value, WeightedPipeline(opportunities, pipelines, org, as_of));
//   std::string text = json::ToText(value);
//
// Money is in the workspace currency's minor units throughout; ratios are
// Decimals; a ratio whose denominator is 0 is absent (never NaN).
#ifndef CADRE_OPPORTUNITY_H_
#define CADRE_OPPORTUNITY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/model.h"

namespace cadre {

class OrgTree;
class OwnershipProjection;
class Workspace;

// ---- The opportunity -------------------------------------------------------------

// One stay of an opportunity in one stage.
struct StageVisit {
  std::string pipeline;
  std::string stage;
  StageOutcome outcome = StageOutcome::kOpen;  // of the stage, in the pipeline version in force when entered
  absl::Time entered_at;
  std::optional<absl::Time> left_at;  // absent: still in the stage (as of the answer's instant)
  std::string event;                  // id of the event that moved the opportunity in

  friend bool operator==(const StageVisit&, const StageVisit&) = default;
};
BOOST_DESCRIBE_STRUCT(StageVisit, (), (pipeline, stage, outcome, entered_at, left_at, event))

// An opportunity as it stood at one instant.
struct Opportunity {
  std::string id;        // the events' `reference`
  std::string pipeline;  // of the latest move (a move may carry it into another pipeline)
  std::string customer;  // named by the opening event
  // The credited manager: the one named by the latest event that names one;
  // before any event names one, the customer's owner when the opportunity was
  // opened (OwnershipProjection::OwnerAt(customer, opened_at)). Absent when
  // neither exists. Later ownership changes do not move it.
  std::optional<std::string> manager;
  std::string stage;  // the current stage
  StageOutcome outcome = StageOutcome::kOpen;
  std::optional<int64_t> amount_minor;              // expected value: the latest one given
  std::optional<absl::CivilDay> expected_close_on;  // the latest due_on given
  std::optional<std::string> lost_reason;           // while in a lost stage: the reason given
  absl::Time opened_at;                             // occurred_at of the first move
  std::optional<absl::Time> closed_at;              // when it entered its won or lost stage; absent while open
  std::vector<StageVisit> history;                  // oldest first, by (occurred_at, seq)

  friend bool operator==(const Opportunity&, const Opportunity&) = default;
};
BOOST_DESCRIBE_STRUCT(Opportunity, (),
                      (id, pipeline, customer, manager, stage, outcome, amount_minor, expected_close_on, lost_reason,
                       opened_at, closed_at, history))

struct OpportunityListOptions {
  std::optional<absl::Time> as_of;  // the state at this instant (events with occurred_at <= as_of); empty: now
  bool open_only = false;
};

// Every opportunity, projected from the event log.
//
// Folding. An opportunity's moves (its opportunity events, reversed ones left
// out) are kept ordered by (occurred_at, seq), and its state at an instant is
// the fold of the moves up to that instant, so a late or out-of-order event lands
// in place and the state after catching up equals that of a rebuild. A move into
// the stage (and pipeline) the opportunity is already in continues the visit: it
// only updates the expected value, close date, manager or lost reason. Moving out
// of a won or lost stage into an open one reopens the opportunity (closed_at and
// lost_reason are cleared). A reversal of an opportunity event removes that move,
// whenever it arrives (reversing every move of an opportunity removes it);
// reversals of other events are ignored, except assignments (see crediting).
//
// Stage outcomes (open, won, lost) are read, when an event is applied, from the
// version of its pipeline in force at its occurred_at (as ingest checked it). A
// later rewrite of a pipeline's past does not re-classify applied events: Reset()
// and catch up again for that.
//
// Crediting needs the ownership of customers (see Opportunity::manager), so the
// projection is caught up together with an OwnershipProjection: CatchUp catches
// it up first and reads the log only up to the ownership's high-water mark, and
// re-resolves the credit of the opportunities of every customer whose
// assignments changed in what it read (late assignments included). The
// ownership projection is only read; it is not retained.
//
// Queries about an opportunity the projection has not seen (or that did not
// exist yet at the instant asked) answer empty.
//
// Thread-safety: safe to share between threads. One mutex guards the state;
// CatchUp holds it while it applies what it read, queries take it and return
// copies. Lock order: this projection's mutex, then the ownership's.
class OpportunityProjection {
 public:
  OpportunityProjection() = default;
  OpportunityProjection(const OpportunityProjection&) = delete;
  OpportunityProjection& operator=(const OpportunityProjection&) = delete;

  // Catches `ownership` up with the workspace, then applies the opportunity,
  // assignment and reversal events logged after high_water_mark() and up to
  // ownership.high_water_mark(); the mark becomes the latter. On error (the
  // store's), nothing read in this call is applied and the mark stays, so a
  // later call resumes.
  absl::Status CatchUp(const Workspace& workspace, OwnershipProjection& ownership);

  // Applies one logged event, for hosts that feed the projection themselves:
  // feed every event to `ownership` first, then here, in log order. `pipeline`
  // is the event's pipeline document in force at its occurred_at (only read for
  // opportunity events; null: its stages count as open). Applying an event twice
  // changes nothing. The mark becomes max(mark, event.seq).
  void Apply(const StoredEvent& event, const OwnershipProjection& ownership, const Pipeline* pipeline = nullptr);

  // Forgets everything (mark 0): the next CatchUp rebuilds from the whole log.
  void Reset();

  // The largest seq applied so far (0 at first).
  uint64_t high_water_mark() const;

  // The opportunity `id` as it stood at `as_of` (now when empty): empty if it was
  // not open(ed) yet then, or is unknown.
  std::optional<Opportunity> Find(std::string_view id, std::optional<absl::Time> as_of = std::nullopt) const;
  // Its stage at `at`; empty if it did not exist yet.
  std::optional<std::string> StageAt(std::string_view id, absl::Time at) const;
  // Whether it existed at `at` and was in an open stage.
  bool IsOpenAt(std::string_view id, absl::Time at) const;

  // Every opportunity existing at `as_of` (now when empty), ordered by id.
  std::vector<Opportunity> All(std::optional<absl::Time> as_of = std::nullopt) const;
  // The opportunities of a customer: open ones first (oldest opened first), then
  // closed ones (most recently closed first); ties by id.
  std::vector<Opportunity> OfCustomer(std::string_view customer, const OpportunityListOptions& options = {}) const;
  // The opportunities credited to `manager` at options.as_of, ordered as
  // OfCustomer. Scans every opportunity.
  std::vector<Opportunity> OfManager(std::string_view manager, const OpportunityListOptions& options = {}) const;

 private:
  struct Move {
    absl::Time at;
    uint64_t seq = 0;
    std::string event;
    std::string pipeline;
    std::string stage;
    StageOutcome outcome = StageOutcome::kOpen;
    std::string customer;
    std::optional<std::string> manager;
    std::optional<int64_t> amount_minor;
    std::optional<absl::CivilDay> due_on;
    std::optional<std::string> reason;
  };
  struct Record {
    std::string id;
    std::vector<Move> moves;                   // by (at, seq)
    std::optional<std::string> owner_at_open;  // the customer's owner at the first move
  };
  // What an applied batch touched, to re-resolve credits once at its end.
  struct Touched {
    absl::flat_hash_set<uint32_t> records;
    absl::flat_hash_set<std::string> customers;
  };

  void ApplyLocked(const StoredEvent& event, const Pipeline* pipeline, Touched& touched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Recredit(const Touched& touched, const OwnershipProjection& ownership) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static std::optional<Opportunity> Fold(const Record& record, std::optional<absl::Time> as_of);
  // Folds the records `candidate` admits (by index) and keeps those `keep` admits.
  std::vector<Opportunity> Listed(absl::FunctionRef<bool(uint32_t)> candidate,
                                  absl::FunctionRef<bool(const Opportunity&)> keep,
                                  const OpportunityListOptions& options) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t high_water_mark_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Record> records_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> record_index_ ABSL_GUARDED_BY(mu_);  // opportunity id -> record
  absl::flat_hash_map<std::string, uint32_t> move_record_ ABSL_GUARDED_BY(mu_);   // event id -> record
  // Customer -> the records with a move naming them.
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint32_t>> customer_records_ ABSL_GUARDED_BY(mu_);
  // Assignment event id -> its customer, to re-credit when one is reversed.
  absl::flat_hash_map<std::string, std::string> assignment_customer_ ABSL_GUARDED_BY(mu_);
  // Every event id named by a reversal so far (an event showing up after its
  // reversal is not applied).
  absl::flat_hash_set<std::string> reversed_ ABSL_GUARDED_BY(mu_);
};

// The pipeline documents in force at `as_of` (the newest when empty), by id.
absl::StatusOr<std::vector<Pipeline>> LoadPipelines(const Workspace& workspace,
                                                    std::optional<absl::Time> as_of = std::nullopt);

// ---- Weighted pipeline value -----------------------------------------------------

// The open opportunities in one stage.
struct StageValue {
  std::string pipeline;
  std::string stage;
  // The stage's win probability in the pipeline given; absent when the stage is
  // not in it (the pipeline changed since): such opportunities weigh 0.
  std::optional<Decimal> win_probability;
  int64_t count = 0;
  int64_t open_minor = 0;      // sum of expected values (an opportunity without one counts 0)
  int64_t weighted_minor = 0;  // sum of expected value x win_probability

  friend bool operator==(const StageValue&, const StageValue&) = default;
};
BOOST_DESCRIBE_STRUCT(StageValue, (), (pipeline, stage, win_probability, count, open_minor, weighted_minor))

struct PipelineValue {
  int64_t count = 0;
  int64_t open_minor = 0;
  int64_t weighted_minor = 0;
  // Stages with at least one open opportunity: by the order of the pipelines
  // given, then stage order; stages not in the pipeline last, by id.
  std::vector<StageValue> stages;

  friend bool operator==(const PipelineValue&, const PipelineValue&) = default;
};
BOOST_DESCRIBE_STRUCT(PipelineValue, (), (count, open_minor, weighted_minor, stages))

struct ManagerPipelineValue {
  std::string manager;
  std::optional<std::string> team;  // absent: credited, but not a manager of the org tree
  PipelineValue value;
};
BOOST_DESCRIBE_STRUCT(ManagerPipelineValue, (), (manager, team, value))

struct UnitPipelineValue {
  std::string unit;
  OrgUnitKind kind = OrgUnitKind::kTeam;
  PipelineValue value;  // the sum over the managers whose team is the unit or below it
};
BOOST_DESCRIBE_STRUCT(UnitPipelineValue, (), (unit, kind, value))

struct PipelineValueReport {
  absl::Time as_of;
  // Every manager of the org tree (zeros included), then any other credited
  // manager, ordered by id.
  std::vector<ManagerPipelineValue> managers;
  std::vector<UnitPipelineValue> units;  // every unit of the tree, in pre-order (children by id)
  PipelineValue unassigned;              // open opportunities credited to no manager
  PipelineValue total;                   // every manager plus unassigned
};
BOOST_DESCRIBE_STRUCT(PipelineValueReport, (), (as_of, managers, units, unassigned, total))

// The open pipeline at `as_of`: over the opportunities open at as_of whose
// current pipeline is among `pipelines` (others are left out, so passing one
// pipeline restricts the report to it), each weighs its expected value times the
// win_probability of its current stage in that pipeline document.
//
// Rounding: a manager's weighted value (and each of its stage rows, and the
// unassigned bucket) is computed exactly and rounded half-even to minor units
// once, so a manager's stage rows may differ from its total by rounding. Every
// figure above a manager is the sum of the managers' rounded figures: a unit's
// is the sum over the managers in its subtree, and the total adds the unassigned.
// The manager is the credited one at as_of (Opportunity::manager).
//
// INVALID_ARGUMENT if two pipelines share an id; OUT_OF_RANGE if a sum leaves
// int64.
absl::StatusOr<PipelineValueReport> WeightedPipeline(const OpportunityProjection& opportunities,
                                                     std::span<const Pipeline> pipelines, const OrgTree& org,
                                                     absl::Time as_of);

// ---- Stage conversion ------------------------------------------------------------

struct StageConversion {
  std::string stage;
  StageOutcome outcome = StageOutcome::kOpen;
  int64_t reached = 0;
  // Open stages: of those that reached the stage, how many reached the next one
  // (the next open stage, or for the last open stage a won stage). 0 for won and
  // lost stages.
  int64_t advanced = 0;
  std::optional<Decimal> conversion;  // advanced / reached; absent for won and lost stages or when reached = 0
  int64_t won = 0;                    // of those that reached it, how many were won at as_of
  std::optional<Decimal> won_share;   // won / reached; absent when reached = 0

  friend bool operator==(const StageConversion&, const StageConversion&) = default;
};
BOOST_DESCRIBE_STRUCT(StageConversion, (), (stage, outcome, reached, advanced, conversion, won, won_share))

struct ConversionReport {
  std::string pipeline;
  absl::Time from;
  absl::Time until;
  absl::Time as_of;
  int64_t opened = 0;                   // opportunities opened in [from, until) in this pipeline
  int64_t open = 0;                     // of those, open at as_of
  int64_t won = 0;                      // of those, won at as_of
  int64_t lost = 0;                     // of those, lost at as_of
  std::optional<Decimal> win_rate;      // won / (won + lost)
  std::vector<StageConversion> stages;  // every stage of the pipeline, in order

  friend bool operator==(const ConversionReport&, const ConversionReport&) = default;
};
BOOST_DESCRIBE_STRUCT(ConversionReport, (), (pipeline, from, until, as_of, opened, open, won, lost, win_rate, stages))

// Stage conversion of the opportunities opened in `pipeline` (their first visit
// was in it) with opened_at in [from, until), as their histories stood at
// `as_of`. Only visits in this pipeline and to stages of this document count.
//
// Definitions. Number the open stages 0..k-1 in pipeline order and give every
// won stage the level k; lost stages have no level. An opportunity's depth is the
// highest level it ever entered (going back later does not undo it). It reached
//   - open stage i when its depth >= i (it entered stage i or any later open
//     stage, or a won stage: skipped stages count as passed);
//   - a won or lost stage when it entered that stage.
// It advanced from open stage i when its depth >= i + 1. `won` counts those
// whose outcome at as_of is won (a reopened one is not). Ratios are rounded
// half-even to Decimal's nine digits.
//
// INVALID_ARGUMENT unless from < until.
absl::StatusOr<ConversionReport> PipelineConversion(const OpportunityProjection& opportunities,
                                                    const Pipeline& pipeline, absl::Time from, absl::Time until,
                                                    absl::Time as_of);

// ---- Time in stage ---------------------------------------------------------------

struct StageDuration {
  std::string stage;
  // Completed visits (left the stage by as_of): how many, and their mean and
  // median duration.
  int64_t completed = 0;
  std::optional<int64_t> mean_seconds;
  std::optional<int64_t> median_seconds;
  // Visits still in the stage at as_of: how many, and the mean, median and
  // largest of their ages (as_of - entered_at).
  int64_t open = 0;
  std::optional<int64_t> open_mean_age_seconds;
  std::optional<int64_t> open_median_age_seconds;
  std::optional<int64_t> open_max_age_seconds;

  friend bool operator==(const StageDuration&, const StageDuration&) = default;
};
BOOST_DESCRIBE_STRUCT(StageDuration, (),
                      (stage, completed, mean_seconds, median_seconds, open, open_mean_age_seconds,
                       open_median_age_seconds, open_max_age_seconds))

struct TimeInStageReport {
  std::string pipeline;
  absl::Time from;
  absl::Time until;
  absl::Time as_of;
  std::vector<StageDuration> stages;  // the open stages of the pipeline, in order

  friend bool operator==(const TimeInStageReport&, const TimeInStageReport&) = default;
};
BOOST_DESCRIBE_STRUCT(TimeInStageReport, (), (pipeline, from, until, as_of, stages))

// Time spent in each open stage of `pipeline` (won and lost stages are where an
// opportunity ends, so they have no time-in-stage), over the visits to it that
// began in [from, until), as the histories stood at `as_of`. A visit is one stay
// (StageVisit); a move into the same stage continues it. Durations are whole
// seconds (truncated); means and medians (of an even count, the mean of the two
// middle values) are rounded half-even to whole seconds.
//
// INVALID_ARGUMENT unless from < until.
absl::StatusOr<TimeInStageReport> TimeInStage(const OpportunityProjection& opportunities, const Pipeline& pipeline,
                                              absl::Time from, absl::Time until, absl::Time as_of);

}  // namespace cadre

#endif  // CADRE_OPPORTUNITY_H_

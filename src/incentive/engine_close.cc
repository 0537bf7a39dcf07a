// Closed periods, the adjustments late events make to them, and disputes.
//
// Closing a period freezes every statement of it (collection
// "incentive_statements") and marks the period closed (collection
// "incentive_periods") in one transaction. A closed period's statement is read
// back, never recomputed, so nothing that arrives later changes it. What a
// recomputation of a closed period would pay now, less what it paid and what
// later closed periods already adjusted for it, is an adjustment line in the
// first open period after the last closed one, naming the events logged after
// the close that it recounts.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "incentive/engine.h"
#include "model/text_rules.h"

namespace cadre::incentive_internal {

using model_internal::Quoted;

absl::Status EngineState::LoadPeriods() {
  if (periods_loaded_) return absl::OkStatus();
  period_states_.clear();
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, ws_.List(IncentivePeriod::kCollection));
  for (const Document& d : docs) {
    CADRE_ASSIGN_OR_RETURN(IncentivePeriod p,
                           json::FromText<IncentivePeriod>(d.body, absl::StrCat("incentive_periods/", d.id)));
    period_states_[d.id] = PeriodRecord{std::move(p), d.version};
  }
  periods_loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<PeriodState> EngineState::StateOf(const Period& period) {
  if (simulating_) return PeriodState::kOpen;
  CADRE_RETURN_IF_ERROR(LoadPeriods());
  auto it = period_states_.find(period.ToString());
  return it == period_states_.end() ? PeriodState::kOpen : it->second.doc.state;
}

absl::StatusOr<std::optional<Period>> EngineState::LastClosed(Granularity granularity) {
  CADRE_RETURN_IF_ERROR(LoadPeriods());
  std::optional<Period> last;
  for (const auto& [text, record] : period_states_) {
    if (record.doc.state != PeriodState::kClosed) continue;
    CADRE_ASSIGN_OR_RETURN(Period p, Period::Parse(text));
    if (p.granularity() != granularity) continue;
    if (!last || *last < p) last = p;
  }
  return last;
}

// ---- Frozen statements -------------------------------------------------------------

namespace {

std::string FrozenId(const Period& period, std::string_view manager) {
  return absl::StrCat(period.ToString(), "/", AbslView(manager));
}

// The version of the period document written with the frozen statements: a
// statement frozen by an earlier close (before a reopen) is not the period's.
constexpr std::string_view kCloseVersionNote = "frozen with period version ";

bool FrozenWith(const Statement& st, int64_t version) {
  const std::string expected = absl::StrCat(AbslView(kCloseVersionNote), version);
  return std::find(st.notes.begin(), st.notes.end(), expected) != st.notes.end();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EngineState::Computed>> EngineState::Frozen(std::string_view manager,
                                                                           const Period& period) {
  const PeriodRecord& record = period_states_.at(period.ToString());
  absl::StatusOr<Document> doc = ws_.Get(ClosedStatement::kCollection, FrozenId(period, manager));
  if (absl::IsNotFound(doc.status())) {
    return absl::NotFoundError(
        absl::StrCat("manager ", Quoted(manager), " has no statement in closed period ", period.ToString()));
  }
  CADRE_RETURN_IF_ERROR(doc.status());
  CADRE_ASSIGN_OR_RETURN(ClosedStatement frozen,
                         json::FromText<ClosedStatement>(doc->body, absl::StrCat("incentive_statements/", doc->id)));
  if (!FrozenWith(frozen.statement, record.version)) {
    return absl::NotFoundError(
        absl::StrCat("manager ", Quoted(manager), " has no statement in closed period ", period.ToString()));
  }
  auto out = std::make_unique<Computed>();
  out->statement = std::move(frozen.statement);
  for (const StatementLine& line : out->statement.lines) {
    // What a frozen line paid is what later periods settle against (adjustments,
    // clawback rates, annual caps): its rounded amount, not its display text.
    out->exact.push_back(Exact::FromMinor(line.amount_minor));
    if (line.kind != LineKind::kAdjustment && line.kind != LineKind::kDisputeAdjustment &&
        line.kind != LineKind::kDraw && line.kind != LineKind::kDrawRecovery) {
      ++out->own_lines;
    }
  }
  out->credits.resize(out->statement.lines.size());
  out->credits_collected = true;  // a frozen statement keeps no credits to expand
  out->frozen = true;
  return out;
}

absl::StatusOr<std::vector<std::string>> EngineState::FrozenManagers(const Period& period) {
  const PeriodRecord& record = period_states_.at(period.ToString());
  std::vector<std::string> out;
  const std::string prefix = absl::StrCat(period.ToString(), "/");
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, ws_.List(ClosedStatement::kCollection));
  for (const Document& d : docs) {
    if (d.id.rfind(prefix, 0) != 0) continue;
    CADRE_ASSIGN_OR_RETURN(ClosedStatement frozen,
                           json::FromText<ClosedStatement>(d.body, absl::StrCat("incentive_statements/", d.id)));
    if (FrozenWith(frozen.statement, record.version)) out.push_back(frozen.statement.manager);
  }
  return out;
}

// ---- Adjustments ------------------------------------------------------------------------

absl::StatusOr<std::vector<LineResult>> EngineState::LiveOwnLines(const Manager& manager, const Period& period,
                                                                  std::vector<LineCredits>& credits) {
  CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
  const Manager* m = facts->tree.FindManager(manager.id);
  std::vector<LineResult> lines;
  if (m == nullptr) return lines;
  CADRE_ASSIGN_OR_RETURN(std::vector<PlanSegment> segments, SegmentsOf(*m, facts->tree, period));
  if (segments.empty()) return lines;
  CreditCollection on(*this);  // adjustments name the credits logged after the close
  CADRE_RETURN_IF_ERROR(OwnLines(*m, period, facts->tree, segments, lines, credits));
  // Adjustments settle money, so each line counts as the plan rounds it.
  const PlanRounding rounding{segments.back().plan->plan.rounding.mode, RoundingScope::kLine};
  CADRE_ASSIGN_OR_RETURN(RoundedTotal unused, Round(lines, rounding));
  (void)unused;
  return lines;
}

absl::Status EngineState::Corrections(const Manager& manager, const Period& period, std::vector<LineResult>& lines,
                                      std::vector<LineCredits>& credits) {
  if (simulating_) return absl::OkStatus();
  CADRE_ASSIGN_OR_RETURN(std::optional<Period> last, LastClosed(period.granularity()));
  if (last && last->Next() == period) {
    // Every closed period of this granularity, oldest first.
    std::vector<Period> closed;
    for (const auto& [text, record] : period_states_) {
      if (record.doc.state != PeriodState::kClosed) continue;
      CADRE_ASSIGN_OR_RETURN(Period p, Period::Parse(text));
      if (p.granularity() == period.granularity()) closed.push_back(p);
    }
    std::sort(closed.begin(), closed.end());
    for (const Period& c : closed) {
      // What was paid for c: its frozen own lines, plus what later closed
      // periods adjusted for it.
      absl::flat_hash_map<std::string, int64_t> paid;
      absl::StatusOr<const Computed*> frozen = Compute(manager.id, c);
      if (frozen.ok()) {
        for (std::size_t i = 0; i < (*frozen)->own_lines; ++i) {
          paid[(*frozen)->statement.lines[i].id] += (*frozen)->statement.lines[i].amount_minor;
        }
      } else if (!absl::IsNotFound(frozen.status())) {
        return frozen.status();
      }
      for (const Period& q : closed) {
        if (!(c < q)) continue;
        absl::StatusOr<const Computed*> later = Compute(manager.id, q);
        if (absl::IsNotFound(later.status())) continue;
        CADRE_RETURN_IF_ERROR(later.status());
        for (const StatementLine& line : (*later)->statement.lines) {
          if (line.kind != LineKind::kAdjustment || line.adjusts_period != c.ToString()) continue;
          const std::string own_id = line.id.substr(0, line.id.rfind('@'));
          paid[own_id] += line.amount_minor;
        }
      }
      std::vector<LineCredits> live_credits;
      CADRE_ASSIGN_OR_RETURN(std::vector<LineResult> live, LiveOwnLines(manager, c, live_credits));
      const uint64_t through = period_states_.at(c.ToString()).doc.through_seq;
      absl::flat_hash_set<std::string> seen;
      auto emit = [&](const std::string& id, const std::string& component, int64_t now, const LineCredits* cause,
                      int64_t before) -> absl::Status {
        const int64_t diff = now - before;
        if (diff == 0) return absl::OkStatus();
        LineResult adj;
        adj.amount = Exact::FromMinor(diff);
        adj.line.id = absl::StrCat(AbslView(id), "@", c.ToString());
        adj.line.component = component;
        adj.line.kind = LineKind::kAdjustment;
        adj.line.adjusts_period = c.ToString();
        adj.line.base = Exact::FromMinor(now).ToText();
        adj.line.exact_amount = adj.amount.ToText();
        adj.line.trace.notes.push_back(absl::StrCat("closed period ", c.ToString(), " paid ", before, " for line ",
                                                    Quoted(id), "; recomputed with what was logged since it closed ",
                                                    "(after event #", through, "), it pays ", now));
        LineCredits late;
        if (cause != nullptr) {
          for (const auto& entry : *cause) {
            if (entry.first->seq > through) late.push_back(entry);
          }
        }
        adj.line.trace.credit_count = late.size();
        adj.line.trace.notes.push_back(
            late.empty() ? std::string("no credit of it was logged after the close: a reversal, a moved credit or a "
                                       "configuration change made the difference")
                         : absl::StrCat(late.size(), " of its credits were logged after the close"));
        lines.push_back(std::move(adj));
        credits.push_back(std::move(late));
        return absl::OkStatus();
      };
      for (std::size_t i = 0; i < live.size(); ++i) {
        const StatementLine& line = live[i].line;
        seen.insert(line.id);
        auto p = paid.find(line.id);
        CADRE_RETURN_IF_ERROR(
            emit(line.id, line.component, line.amount_minor, &live_credits[i], p == paid.end() ? 0 : p->second));
      }
      // Lines paid then that a recomputation no longer has are taken back whole.
      std::vector<std::pair<std::string, int64_t>> gone(paid.begin(), paid.end());
      std::sort(gone.begin(), gone.end());
      for (const auto& [id, amount] : gone) {
        if (seen.contains(id)) continue;
        CADRE_RETURN_IF_ERROR(emit(id, id.substr(0, id.find_first_of("@:")), 0, nullptr, amount));
      }
    }
  }

  // Accepted disputes paid in this period.
  if (!disputes_loaded_) {
    accepted_.clear();
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, ws_.List(StatementDispute::kCollection));
    for (const Document& d : docs) {
      CADRE_ASSIGN_OR_RETURN(StatementDispute dispute,
                             json::FromText<StatementDispute>(d.body, absl::StrCat("statement_disputes/", d.id)));
      if (dispute.status != DisputeStatus::kAccepted) continue;
      // It lands in the first period after the disputed one that was open when
      // it was accepted (the first version that says accepted).
      absl::Time accepted_at = d.recorded_at;
      CADRE_ASSIGN_OR_RETURN(std::vector<DocumentVersion> history, ws_.History(StatementDispute::kCollection, d.id));
      for (const DocumentVersion& v : history) {
        if (v.deleted) continue;
        CADRE_ASSIGN_OR_RETURN(StatementDispute version,
                               json::FromText<StatementDispute>(v.body, absl::StrCat("statement_disputes/", d.id)));
        if (version.status == DisputeStatus::kAccepted) {
          accepted_at = v.recorded_at;
          break;
        }
      }
      CADRE_ASSIGN_OR_RETURN(Period disputed, Period::Parse(dispute.period));
      Period landing = disputed.Next();
      for (int guard = 0; guard < 1200; ++guard, landing = landing.Next()) {
        absl::StatusOr<std::vector<DocumentVersion>> states =
            ws_.History(IncentivePeriod::kCollection, landing.ToString());
        if (absl::IsNotFound(states.status())) break;  // never closed
        CADRE_RETURN_IF_ERROR(states.status());
        bool closed_then = false;
        for (const DocumentVersion& v : *states) {
          if (v.recorded_at > accepted_at || v.deleted) continue;
          CADRE_ASSIGN_OR_RETURN(IncentivePeriod state,
                                 json::FromText<IncentivePeriod>(v.body, absl::StrCat("incentive_periods/", v.id)));
          closed_then = state.state == PeriodState::kClosed;
        }
        if (!closed_then) break;
      }
      accepted_[dispute.manager].emplace_back(std::move(dispute), landing.ToString());
    }
    disputes_loaded_ = true;
  }
  if (auto it = accepted_.find(manager.id); it != accepted_.end()) {
    for (const auto& [dispute, landing] : it->second) {
      if (landing != period.ToString()) continue;
      LineResult adj;
      adj.amount = Exact::FromMinor(*dispute.adjustment_minor);
      adj.line.id = absl::StrCat("dispute:", dispute.id);
      adj.line.component = "dispute";
      adj.line.kind = LineKind::kDisputeAdjustment;
      adj.line.adjusts_period = dispute.period;
      adj.line.base = Exact().ToText();  // a dispute has no base ("0")
      adj.line.exact_amount = adj.amount.ToText();
      adj.line.trace.notes.push_back(absl::StrCat("dispute ", Quoted(dispute.id), " of line ", Quoted(dispute.line),
                                                  " in ", dispute.period, ": ", dispute.reason));
      adj.line.trace.notes.push_back(
          absl::StrCat("accepted by ", dispute.resolved_by.value_or(""), ": ", dispute.resolution.value_or("")));
      lines.push_back(std::move(adj));
      credits.emplace_back();
    }
  }
  return absl::OkStatus();
}

// ---- Close and reopen ------------------------------------------------------------------------

absl::StatusOr<IncentivePeriod> EngineState::Close(Workspace& workspace, const Period& period, std::string_view by,
                                                   std::optional<std::string> reason) {
  CADRE_RETURN_IF_ERROR(LoadPeriods());
  if (period.granularity() != Granularity::kMonth && period.granularity() != Granularity::kQuarter) {
    return FieldError("period", "an incentive period is a month or a quarter", Quoted(period.ToString()));
  }
  const std::string text = period.ToString();
  auto existing = period_states_.find(text);
  if (existing != period_states_.end() && existing->second.doc.state == PeriodState::kClosed) {
    return absl::FailedPreconditionError(
        absl::StrCat("period ", text, " is closed already (by ", existing->second.doc.by, ")"));
  }
  CADRE_ASSIGN_OR_RETURN(std::optional<Period> last, LastClosed(period.granularity()));
  if (last && period < *last) {
    return absl::FailedPreconditionError(absl::StrCat("period ", text, " cannot close after the later period ",
                                                      last->ToString(), " closed; periods close in order (reopen ",
                                                      last->ToString(), " first)"));
  }
  if (last && last->Next() != period) {
    return absl::FailedPreconditionError(absl::StrCat("periods close in order: close ", last->Next().ToString(),
                                                      " (the one after ", last->ToString(), ") before ", text));
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<Statement> statements, GetAll(period, {}));
  CADRE_ASSIGN_OR_RETURN(uint64_t mark, ws_.HighWaterMark());
  const int64_t version = existing == period_states_.end() ? 0 : existing->second.version;

  IncentivePeriod doc;
  doc.id = text;
  doc.state = PeriodState::kClosed;
  doc.by = std::string(by);
  doc.reason = std::move(reason);
  doc.through_seq = mark;
  std::vector<Workspace::DocumentPut> puts;
  puts.reserve(statements.size() + 1);
  for (Statement& st : statements) {
    st.state = PeriodState::kClosed;
    st.notes.push_back(absl::StrCat(AbslView(kCloseVersionNote), version + 1));
    ClosedStatement frozen{FrozenId(period, st.manager), std::move(st)};
    puts.push_back(
        Workspace::DocumentPut{std::string(ClosedStatement::kCollection), frozen.id, json::ToText(frozen), {}});
  }
  puts.push_back(Workspace::DocumentPut{std::string(IncentivePeriod::kCollection), text, json::ToText(doc),
                                        PutOptions{.expected_version = version}});
  CADRE_RETURN_IF_ERROR(workspace.PutAll(puts).status());
  return doc;
}

absl::StatusOr<IncentivePeriod> EngineState::Reopen(Workspace& workspace, const Period& period, std::string_view by,
                                                    std::string_view reason) {
  CADRE_RETURN_IF_ERROR(LoadPeriods());
  const std::string text = period.ToString();
  auto existing = period_states_.find(text);
  if (existing == period_states_.end() || existing->second.doc.state != PeriodState::kClosed) {
    return absl::FailedPreconditionError(absl::StrCat("period ", text, " is not closed"));
  }
  CADRE_ASSIGN_OR_RETURN(std::optional<Period> last, LastClosed(period.granularity()));
  if (last && period < *last) {
    return absl::FailedPreconditionError(
        absl::StrCat("reopen ", last->ToString(), " first: periods reopen from the ", "latest closed one backwards"));
  }
  IncentivePeriod doc;
  doc.id = text;
  doc.state = PeriodState::kOpen;
  doc.by = std::string(by);
  doc.reason = std::string(reason);
  CADRE_RETURN_IF_ERROR(workspace
                            .Put(IncentivePeriod::kCollection, text, json::ToText(doc),
                                 PutOptions{.expected_version = existing->second.version})
                            .status());
  return doc;
}

// ---- Disputes -----------------------------------------------------------------------------

absl::StatusOr<StatementDispute> EngineState::Raise(Workspace& workspace, const StatementDispute& dispute) {
  json::Path path;
  CADRE_RETURN_IF_ERROR(dispute.Validate(path));
  if (dispute.status != DisputeStatus::kOpen) {
    return FieldError("status", "a dispute is raised open; ResolveDispute resolves it", "\"accepted\"");
  }
  CADRE_ASSIGN_OR_RETURN(Period period, Period::Parse(dispute.period));
  CADRE_ASSIGN_OR_RETURN(Statement st, Get(dispute.manager, period, StatementOptions{}));
  const bool has_line =
      std::any_of(st.lines.begin(), st.lines.end(), [&](const StatementLine& l) { return l.id == dispute.line; });
  if (!has_line) {
    return FieldError(
        absl::StatusCode::kNotFound, "line",
        absl::StrCat("is not a line of the statement of ", Quoted(dispute.manager), " for ", dispute.period),
        Quoted(dispute.line));
  }
  CADRE_RETURN_IF_ERROR(
      workspace.Put(StatementDispute::kCollection, dispute.id, json::ToText(dispute), PutOptions{.expected_version = 0})
          .status());
  return dispute;
}

absl::StatusOr<StatementDispute> EngineState::Resolve(Workspace& workspace, std::string_view id, bool accept,
                                                      std::optional<int64_t> adjustment_minor,
                                                      std::string_view resolution, std::string_view by) {
  CADRE_ASSIGN_OR_RETURN(Document doc, ws_.Get(StatementDispute::kCollection, id));
  CADRE_ASSIGN_OR_RETURN(StatementDispute dispute,
                         json::FromText<StatementDispute>(doc.body, absl::StrCat("statement_disputes/", AbslView(id))));
  if (dispute.status != DisputeStatus::kOpen) {
    return absl::FailedPreconditionError(
        absl::StrCat("dispute ", Quoted(id), " is resolved already (",
                     dispute.status == DisputeStatus::kAccepted ? "accepted" : "rejected", " by ",
                     dispute.resolved_by.value_or(""), ")"));
  }
  dispute.status = accept ? DisputeStatus::kAccepted : DisputeStatus::kRejected;
  dispute.adjustment_minor = adjustment_minor;
  dispute.resolution = std::string(resolution);
  dispute.resolved_by = std::string(by);
  json::Path path;
  CADRE_RETURN_IF_ERROR(dispute.Validate(path));
  CADRE_RETURN_IF_ERROR(
      workspace
          .Put(StatementDispute::kCollection, id, json::ToText(dispute), PutOptions{.expected_version = doc.version})
          .status());
  return dispute;
}

}  // namespace cadre::incentive_internal

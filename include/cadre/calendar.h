// cadre/calendar.h — business calendars and SLA clocks.
//
// A business calendar (collection "calendars") says when a retailer's people
// work: hours per weekday, holidays, and make-up working days (调休). A
// BusinessClock answers questions in business time on such a calendar, and
// Evaluate() reads an SLA off it. Everything here is a pure, deterministic
// function of its arguments: the host passes "now", nothing runs on a thread.
//
//   CADRE_ASSIGN_OR_RETURN(auto calendar, json::FromText<BusinessCalendar>(text));
//   CADRE_ASSIGN_OR_RETURN(BusinessClock clock, BusinessClock::Create(calendar, workspace_zone));
//   CADRE_ASSIGN_OR_RETURN(absl::Time due, clock.AddBusinessTime(opened, absl::Hours(8)));
//   SlaTimeline timeline{.start = opened, .pauses = {{.from = asked, .until = answered}}};
//   CADRE_ASSIGN_OR_RETURN(SlaState sla, Evaluate(clock, timeline, {.duration = absl::Hours(8)}, now));
//
// The rules (docs/sop.md repeats them with examples):
// - Working hours are civil times of day in the calendar's zone. An interval
//   [from, to) on day D is open from the first instant at which the local clock
//   reads `from` on D or later, up to the first instant at which it reads `to`
//   or later. So business time is real elapsed time: on the night clocks go
//   forward an interval over the skipped hour is an hour shorter, on the night
//   they go back one over the repeated hour is an hour longer, and an hour that
//   does not exist opens when the clock jumps past it.
// - A day is worked with its weekday's hours, unless it is a holiday (no hours)
//   or a make-up working day (the hours of the weekday it is worked like).
// - Intervals are half-open: open at `from`, closed at `to`.
// - AddBusinessTime(start, d) is the earliest instant t >= start at which d of
//   business time has elapsed since start. Outside hours, counting starts at the
//   next opening; a deadline that lands exactly at a closing time is that closing
//   instant, not the next opening.
//
// Thread-safety: a BusinessClock is immutable; share it freely between threads.
#ifndef CADRE_CALENDAR_H_
#define CADRE_CALENDAR_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/model.h"

namespace cadre {
namespace json {
class Path;
}

// ---- The calendar document ------------------------------------------------------------

// Working hours on some weekdays: from `from` to `to` ("HH:MM", 24-hour, from <
// to, "24:00" for midnight at the end of the day). A day may have several
// intervals (a lunch break is the gap between two); intervals of a day must not
// overlap, and intervals that touch join.
struct WorkingHours {
  static constexpr std::string_view kRequired[] = {"days", "from", "to"};

  std::vector<Weekday> days;  // at least one
  std::string from;
  std::string to;

  friend bool operator==(const WorkingHours&, const WorkingHours&) = default;
};
BOOST_DESCRIBE_STRUCT(WorkingHours, (), (days, from, to))

// A day off: either one day (`on`) or a range of days (`from` .. `to`, both
// included).
struct Holiday {
  std::optional<absl::CivilDay> on;
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;
  std::optional<std::string> name;

  friend bool operator==(const Holiday&, const Holiday&) = default;
};
BOOST_DESCRIBE_STRUCT(Holiday, (), (on, from, to, name))

// A make-up working day (调休): `on` is worked with the hours of weekday `like`,
// whatever its own weekday (usually a weekend day worked like a weekday).
struct MakeUpDay {
  static constexpr std::string_view kRequired[] = {"on", "like"};

  absl::CivilDay on;
  Weekday like = Weekday::kMon;
  std::optional<std::string> name;

  friend bool operator==(const MakeUpDay&, const MakeUpDay&) = default;
};
BOOST_DESCRIBE_STRUCT(MakeUpDay, (), (on, like, name))

// When work is done, for SLA clocks (collection "calendars").
//
//   {"id": "cn-retail", "time_zone": "Asia/Shanghai",
//    "hours": [{"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "12:00"},
//              {"days": ["mon","tue","wed","thu","fri"], "from": "13:00", "to": "18:00"}],
//    "holidays": [{"from": "2026-10-01", "to": "2026-10-07", "name": "National Day"}],
//    "working_days": [{"on": "2026-10-10", "like": "fri"}]}
struct BusinessCalendar {
  static constexpr std::string_view kRequired[] = {"id", "hours"};
  static constexpr std::string_view kCollection = "calendars";

  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> time_zone;  // IANA name; absent: the workspace's zone
  std::vector<WorkingHours> hours;       // at least one interval in the week
  std::vector<Holiday> holidays;
  std::vector<MakeUpDay> working_days;

  // Refuses, naming the path, the rule and the value: a bad time of day, from
  // not before to, an empty or repeated weekday list, intervals that overlap on
  // a day, a week without working hours, a holiday that is neither one day nor
  // a range or whose range ends before it starts, holidays that overlap, a
  // make-up day given twice or also a holiday, a make-up day worked like a
  // weekday without hours, an unknown time zone.
  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(BusinessCalendar, (), (id, name, time_zone, hours, holidays, working_days))

// ---- The clock --------------------------------------------------------------------------

// Business time on one calendar in one zone. Searches are bounded: a question
// whose answer lies more than kSearchHorizonYears after its start is refused
// with OutOfRange (a calendar whose holidays cover every working day would
// otherwise never answer).
class BusinessClock {
 public:
  static constexpr int kSearchHorizonYears = 20;

  // The clock of `calendar`, in its own time zone if it names one, otherwise in
  // `workspace_zone`. InvalidArgument with a path if the calendar is invalid.
  static absl::StatusOr<BusinessClock> Create(const BusinessCalendar& calendar, absl::TimeZone workspace_zone);

  const std::string& calendar_id() const { return calendar_id_; }
  absl::TimeZone zone() const { return zone_; }
  // Business time in a week without holidays, make-up days or clock changes.
  absl::Duration weekly_business_time() const { return weekly_; }

  // Whether `t` lies in working hours (an opening instant is open, a closing
  // instant is not).
  bool IsOpen(absl::Time t) const;

  // `t` if open, else the next opening after it. OutOfRange beyond the horizon;
  // InvalidArgument if `t` is infinite.
  absl::StatusOr<absl::Time> NextOpen(absl::Time t) const;

  // The earliest instant t >= start with BusinessTimeBetween(start, t) >= d
  // (start itself when d is zero). InvalidArgument if d is negative or start
  // infinite; OutOfRange when that instant lies beyond the horizon.
  absl::StatusOr<absl::Time> AddBusinessTime(absl::Time start, absl::Duration d) const;

  // The business time in [a, b); zero if b <= a. OutOfRange if b lies beyond
  // the horizon after a; InvalidArgument if either is infinite.
  absl::StatusOr<absl::Duration> BusinessTimeBetween(absl::Time a, absl::Time b) const;

 private:
  // Working intervals of a day, in minutes after its midnight: [from, to).
  using Intervals = std::vector<std::pair<int, int>>;
  struct Segment {
    absl::Time open, close;
  };

  BusinessClock() = default;
  const Intervals& HoursOf(absl::CivilDay day) const;
  // The day's working intervals as instants, in order, empty ones left out.
  void SegmentsOf(absl::CivilDay day, std::vector<Segment>& out) const;
  // The first instant at which the local clock reads `minute` of `day` or later.
  absl::Time Local(absl::CivilDay day, int minute) const;
  // The first holiday or make-up day on or after `day`.
  std::optional<absl::CivilDay> NextSpecialDay(absl::CivilDay day) const;
  // How many whole weeks from `day` on are plain: no holiday, no make-up day and
  // no change of UTC offset, so each holds exactly weekly_business_time().
  int64_t PlainWeeksFrom(absl::CivilDay day, int64_t wanted) const;
  absl::CivilDay HorizonAfter(absl::Time t) const;

  std::string calendar_id_;
  absl::TimeZone zone_;
  Intervals week_[7];  // Monday first, as Weekday
  absl::Duration weekly_;
  std::vector<std::pair<absl::CivilDay, absl::CivilDay>> holidays_;  // sorted, disjoint, inclusive
  std::vector<std::pair<absl::CivilDay, Weekday>> make_up_days_;     // sorted
};

// ---- SLA clocks -------------------------------------------------------------------------

// A stretch of waiting on the customer, during which the SLA clock stands
// still. `until` absent: still waiting (only the last pause may be open).
struct SlaPause {
  static constexpr std::string_view kRequired[] = {"from"};

  absl::Time from;
  std::optional<absl::Time> until;

  friend bool operator==(const SlaPause&, const SlaPause&) = default;
};
BOOST_DESCRIBE_STRUCT(SlaPause, (), (from, until))

// What happened to one SLA: when its clock started, when it stood still, and
// when the step it times was completed (`stopped_at`).
struct SlaTimeline {
  static constexpr std::string_view kRequired[] = {"start"};

  absl::Time start;
  std::vector<SlaPause> pauses;  // in order, not overlapping, within start .. stopped_at
  std::optional<absl::Time> stopped_at;

  // The rules that do not depend on "now": pauses start no earlier than
  // `start`, each ends no earlier than it starts, each starts no earlier than
  // the previous one ends, only the last may be open, none reaches past
  // stopped_at, and stopped_at is not before start. An open pause on a stopped
  // timeline ends at stopped_at.
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const SlaTimeline&, const SlaTimeline&) = default;
};
BOOST_DESCRIBE_STRUCT(SlaTimeline, (), (start, pauses, stopped_at))

// How long a step may take, in business time.
struct SlaPolicy {
  absl::Duration duration;                    // > 0
  std::optional<absl::Duration> warn_before;  // > 0 and < duration: warn when this much is left

  absl::Status Validate(json::Path& path) const;
};

enum class SlaStatus {
  kRunning,   // not stopped, not paused, before the warning
  kPaused,    // not stopped, waiting on the customer now, not breached
  kWarning,   // not stopped, not paused, at or after warning_at, not after due_at
  kBreached,  // not stopped, now is after due_at (paused or not)
  kMet,       // stopped at or before due_at
  kMissed,    // stopped after due_at
};
BOOST_DESCRIBE_ENUM(SlaStatus, kRunning, kPaused, kWarning, kBreached, kMet, kMissed)

struct SlaState {
  SlaStatus status = SlaStatus::kRunning;
  bool stopped = false;
  // Business time counted from start to stopped_at (or now), pauses left out.
  absl::Duration elapsed;
  absl::Duration remaining;  // duration - elapsed, never below zero
  absl::Duration overdue;    // elapsed - duration, never below zero
  // When `duration` of business time is (or was) used up: the pauses so far
  // left out, an open pause taken to end now (or at stopped_at), and the clock
  // taken to run on without pauses after stopped_at/now. Moves later as pauses
  // grow.
  absl::Time due_at;
  // When only warn_before was left, computed the same way; absent without warn_before.
  std::optional<absl::Time> warning_at;
  // due_at when the SLA is breached or missed, else absent.
  std::optional<absl::Time> breached_at;
};

// Reads an SLA at `now`. InvalidArgument, with paths under "timeline" and
// "policy", if the timeline breaks its rules or reaches past `now` (start,
// pauses and stopped_at must all be at or before now) or the policy is invalid;
// OutOfRange from the clock if the due instant lies beyond its horizon.
absl::StatusOr<SlaState> Evaluate(const BusinessClock& clock, const SlaTimeline& timeline, const SlaPolicy& policy,
                                  absl::Time now);

}  // namespace cadre

#endif  // CADRE_CALENDAR_H_

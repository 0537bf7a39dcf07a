// Business calendars: their rules, the clock that counts business time on them,
// and the SLA evaluation built on that clock.
#include "cadre/calendar.h"

#include <algorithm>
#include <iterator>
#include <numeric>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckKey;
using model_internal::CheckOptionalText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

constexpr std::string_view kClockRule = "expected a time of day \"HH:MM\" (00:00 to 24:00)";
constexpr absl::Duration kWeek = absl::Hours(24 * 7);

// Minutes after midnight of "HH:MM" (00:00 to 24:00), or -1. model.cc keeps
// its own for contact windows private; the rule is the same.
int ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return -1;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

Weekday WeekdayOf(absl::CivilDay day) {
  // absl numbers Monday 0 .. Sunday 6, as Weekday does.
  return static_cast<Weekday>(static_cast<int>(absl::GetWeekday(day)));
}

std::string DayText(absl::CivilDay day) { return FormatDay(day); }

// A holiday's first and last day, when it is well formed.
std::pair<absl::CivilDay, absl::CivilDay> DaysOf(const Holiday& h) {
  if (h.on) return {*h.on, *h.on};
  return {h.from.value_or(absl::CivilDay()), h.to.value_or(absl::CivilDay())};
}

std::string HolidayText(const Holiday& h) {
  auto [first, last] = DaysOf(h);
  return h.on ? DayText(first) : absl::StrCat(DayText(first), "..", DayText(last));
}

absl::Status CheckHours(json::Path& path, const std::vector<WorkingHours>& hours) {
  json::PathScope scope(path, "hours");
  if (hours.empty())
    return FieldError(path.str(), "must give at least one working interval (else an SLA could never end)", "[]");
  // Per weekday: (from, to, index of the entry).
  std::vector<std::tuple<int, int, std::size_t>> by_day[7];
  for (std::size_t i = 0; i < hours.size(); ++i) {
    json::PathScope item(path, i);
    const WorkingHours& h = hours[i];
    {
      json::PathScope days(path, "days");
      if (h.days.empty()) return FieldError(path.str(), "must name at least one weekday", "[]");
      for (std::size_t k = 0; k < h.days.size(); ++k) {
        for (std::size_t j = 0; j < k; ++j) {
          if (h.days[j] != h.days[k]) continue;
          json::PathScope day(path, k);
          return FieldError(path.str(), absl::StrCat("repeats days[", j, "]"), Quoted(json::EnumName(h.days[k])));
        }
      }
    }
    const int from = ParseClock(h.from);
    if (from < 0) {
      json::PathScope field(path, "from");
      return FieldError(path.str(), kClockRule, Quoted(h.from));
    }
    const int to = ParseClock(h.to);
    if (to < 0) {
      json::PathScope field(path, "to");
      return FieldError(path.str(), kClockRule, Quoted(h.to));
    }
    if (to <= from) {
      json::PathScope field(path, "to");
      return FieldError(path.str(), absl::StrCat("must be after from (", h.from, ")"), Quoted(h.to));
    }
    for (Weekday d : h.days) {
      for (const auto& [f, t, j] : by_day[static_cast<int>(d)]) {
        if (f < to && from < t)
          return FieldError(path.str(),
                            absl::StrCat("overlaps hours[", j, "] on ", AbslView(json::EnumName(d)), " (",
                                         hours[j].from, "-", hours[j].to, ")"),
                            Quoted(absl::StrCat(h.from, "-", h.to)));
      }
      by_day[static_cast<int>(d)].emplace_back(from, to, i);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHolidays(json::Path& path, const std::vector<Holiday>& holidays) {
  json::PathScope scope(path, "holidays");
  for (std::size_t i = 0; i < holidays.size(); ++i) {
    json::PathScope item(path, i);
    const Holiday& h = holidays[i];
    if (h.on && (h.from || h.to)) {
      json::PathScope field(path, h.from ? "from" : "to");
      return FieldError(path.str(), "give either on (one day) or from and to (a range), not both",
                        Quoted(DayText(h.from ? *h.from : *h.to)));
    }
    if (!h.on && !h.from && !h.to) {
      json::PathScope field(path, "on");
      return FieldError(path.str(), "required field is missing (give on, or from and to)");
    }
    if (!h.on && (!h.from || !h.to)) {
      json::PathScope field(path, h.from ? "to" : "from");
      return FieldError(path.str(), "required field is missing (a range gives from and to)");
    }
    if (!h.on && *h.to < *h.from) {
      json::PathScope field(path, "to");
      return FieldError(path.str(), absl::StrCat("must not be before from (", DayText(*h.from), ")"),
                        Quoted(DayText(*h.to)));
    }
    CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "name", h.name, kMaxNameLength));
  }
  // Overlaps, found in order of first day; the entry listed later is the one refused.
  std::vector<std::size_t> order(holidays.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(DaysOf(holidays[a]).first, a) < std::pair(DaysOf(holidays[b]).first, b);
  });
  std::optional<std::size_t> reaching;  // of the entries so far, the one that ends last
  for (std::size_t i : order) {
    if (reaching && DaysOf(holidays[i]).first <= DaysOf(holidays[*reaching]).second) {
      const std::size_t earlier = std::min(i, *reaching), later = std::max(i, *reaching);
      json::PathScope item(path, later);
      std::optional<json::PathScope> field;
      if (holidays[later].on) field.emplace(path, "on");
      return FieldError(path.str(),
                        absl::StrCat("overlaps holidays[", earlier, "] (", HolidayText(holidays[earlier]), ")"),
                        Quoted(HolidayText(holidays[later])));
    }
    if (!reaching || DaysOf(holidays[i]).second > DaysOf(holidays[*reaching]).second) reaching = i;
  }
  return absl::OkStatus();
}

absl::Status CheckMakeUpDays(json::Path& path, const BusinessCalendar& calendar) {
  json::PathScope scope(path, "working_days");
  bool worked[7] = {};
  for (const WorkingHours& h : calendar.hours)
    for (Weekday d : h.days) worked[static_cast<int>(d)] = true;
  const std::vector<MakeUpDay>& days = calendar.working_days;
  for (std::size_t i = 0; i < days.size(); ++i) {
    json::PathScope item(path, i);
    for (std::size_t j = 0; j < i; ++j) {
      if (days[j].on != days[i].on) continue;
      json::PathScope field(path, "on");
      return FieldError(path.str(), absl::StrCat("repeats working_days[", j, "]"), Quoted(DayText(days[i].on)));
    }
    for (std::size_t j = 0; j < calendar.holidays.size(); ++j) {
      auto [first, last] = DaysOf(calendar.holidays[j]);
      if (days[i].on < first || days[i].on > last) continue;
      json::PathScope field(path, "on");
      return FieldError(
          path.str(),
          absl::StrCat("is also a holiday (holidays[", j, "]); a day is either a holiday or a make-up working day"),
          Quoted(DayText(days[i].on)));
    }
    if (!worked[static_cast<int>(days[i].like)]) {
      json::PathScope field(path, "like");
      return FieldError(path.str(),
                        absl::StrCat("names a weekday without working hours (", AbslView(json::EnumName(days[i].like)),
                                     " has none in hours)"),
                        Quoted(json::EnumName(days[i].like)));
    }
    CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "name", days[i].name, kMaxNameLength));
  }
  return absl::OkStatus();
}

std::string DurationText(absl::Duration d) { return absl::FormatDuration(d); }

absl::Status CheckFinite(absl::Time t, std::string_view what) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast())
    return absl::InvalidArgumentError(absl::StrCat(AbslView(what), " must be a finite instant"));
  return absl::OkStatus();
}

}  // namespace

// ---- The document -----------------------------------------------------------------------

absl::Status BusinessCalendar::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "name", name, kMaxNameLength));
  if (time_zone) {
    json::PathScope scope(path, "time_zone");
    CADRE_RETURN_IF_ERROR(LoadTimeZone(*time_zone, path.str()).status());
  }
  CADRE_RETURN_IF_ERROR(CheckHours(path, hours));
  CADRE_RETURN_IF_ERROR(CheckHolidays(path, holidays));
  return CheckMakeUpDays(path, *this);
}

// ---- The clock ----------------------------------------------------------------------------

absl::StatusOr<BusinessClock> BusinessClock::Create(const BusinessCalendar& calendar, absl::TimeZone workspace_zone) {
  json::Path path;
  CADRE_RETURN_IF_ERROR(calendar.Validate(path));
  BusinessClock clock;
  clock.calendar_id_ = calendar.id;
  clock.zone_ = workspace_zone;
  if (calendar.time_zone) {
    CADRE_ASSIGN_OR_RETURN(clock.zone_, LoadTimeZone(*calendar.time_zone));
  }
  for (const WorkingHours& h : calendar.hours)
    for (Weekday d : h.days) clock.week_[static_cast<int>(d)].emplace_back(ParseClock(h.from), ParseClock(h.to));
  int weekly_minutes = 0;
  for (Intervals& day : clock.week_) {
    std::sort(day.begin(), day.end());
    Intervals joined;  // intervals that touch become one (validation refused overlaps)
    for (const auto& iv : day) {
      if (!joined.empty() && joined.back().second == iv.first) {
        joined.back().second = iv.second;
      } else {
        joined.push_back(iv);
      }
      weekly_minutes += iv.second - iv.first;
    }
    day = std::move(joined);
  }
  clock.weekly_ = absl::Minutes(weekly_minutes);
  for (const Holiday& h : calendar.holidays) clock.holidays_.push_back(DaysOf(h));
  std::sort(clock.holidays_.begin(), clock.holidays_.end());
  for (const MakeUpDay& m : calendar.working_days) clock.make_up_days_.emplace_back(m.on, m.like);
  std::sort(clock.make_up_days_.begin(), clock.make_up_days_.end());
  return clock;
}

const BusinessClock::Intervals& BusinessClock::HoursOf(absl::CivilDay day) const {
  static const Intervals kNone;
  // The last holiday range starting on or before `day`; ranges are disjoint.
  auto h = std::upper_bound(holidays_.begin(), holidays_.end(), day,
                            [](absl::CivilDay d, const auto& range) { return d < range.first; });
  if (h != holidays_.begin() && std::prev(h)->second >= day) return kNone;
  auto m = std::lower_bound(make_up_days_.begin(), make_up_days_.end(), day,
                            [](const auto& entry, absl::CivilDay d) { return entry.first < d; });
  if (m != make_up_days_.end() && m->first == day) return week_[static_cast<int>(m->second)];
  return week_[static_cast<int>(WeekdayOf(day))];
}

absl::Time BusinessClock::Local(absl::CivilDay day, int minute) const {
  const absl::TimeZone::TimeInfo info = zone_.At(absl::CivilSecond(day) + minute * 60);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return info.trans;  // the clock jumps past it: the first instant it reads later
    case absl::TimeZone::TimeInfo::REPEATED:
      return info.pre;  // its first occurrence
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return info.pre;
}

void BusinessClock::SegmentsOf(absl::CivilDay day, std::vector<Segment>& out) const {
  out.clear();
  for (const auto& [from, to] : HoursOf(day)) {
    const absl::Time open = Local(day, from), close = Local(day, to);
    if (open < close) out.push_back({open, close});
  }
}

std::optional<absl::CivilDay> BusinessClock::NextSpecialDay(absl::CivilDay day) const {
  std::optional<absl::CivilDay> next;
  auto h = std::upper_bound(holidays_.begin(), holidays_.end(), day,
                            [](absl::CivilDay d, const auto& range) { return d < range.first; });
  if (h != holidays_.begin() && std::prev(h)->second >= day) return day;
  if (h != holidays_.end()) next = h->first;
  auto m = std::lower_bound(make_up_days_.begin(), make_up_days_.end(), day,
                            [](const auto& entry, absl::CivilDay d) { return entry.first < d; });
  if (m != make_up_days_.end() && (!next || m->first < *next)) next = m->first;
  return next;
}

int64_t BusinessClock::PlainWeeksFrom(absl::CivilDay day, int64_t wanted) const {
  int64_t n = wanted;
  if (std::optional<absl::CivilDay> special = NextSpecialDay(day)) n = std::min<int64_t>(n, (*special - day) / 7);
  if (n <= 0) return 0;
  // With one UTC offset throughout, every civil time of the block maps to an
  // instant by that offset, so each week holds exactly its nominal hours. The
  // margin of a day on both sides keeps the block clear of any change.
  const absl::Time midnight = Local(day, 0);
  absl::TimeZone::CivilTransition change;
  if (zone_.NextTransition(midnight - absl::Hours(24), &change)) {
    const absl::Time at = zone_.At(change.to).trans;
    absl::Duration unused;
    n = std::min<int64_t>(n, std::max<int64_t>(0, absl::IDivDuration(at - midnight - absl::Hours(24), kWeek, &unused)));
  }
  return n;
}

absl::CivilDay BusinessClock::HorizonAfter(absl::Time t) const {
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  return absl::CivilDay(day.year() + kSearchHorizonYears, day.month(), day.day());
}

bool BusinessClock::IsOpen(absl::Time t) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return false;
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  std::vector<Segment> segments;
  for (absl::CivilDay d = day - 1; d <= day + 1; ++d) {
    SegmentsOf(d, segments);
    for (const Segment& s : segments)
      if (s.open <= t && t < s.close) return true;
  }
  return false;
}

absl::StatusOr<absl::Time> BusinessClock::NextOpen(absl::Time t) const {
  CADRE_RETURN_IF_ERROR(CheckFinite(t, "the instant"));
  const absl::CivilDay limit = HorizonAfter(t);
  std::vector<Segment> segments;
  for (absl::CivilDay day = absl::ToCivilDay(t, zone_) - 1; day <= limit; ++day) {
    SegmentsOf(day, segments);
    for (const Segment& s : segments)
      if (s.close > t) return std::max(s.open, t);
  }
  return absl::OutOfRangeError(absl::StrCat("calendar \"", calendar_id_, "\" has no working hours within ",
                                            kSearchHorizonYears, " years after ", FormatInstant(t)));
}

absl::StatusOr<absl::Time> BusinessClock::AddBusinessTime(absl::Time start, absl::Duration d) const {
  CADRE_RETURN_IF_ERROR(CheckFinite(start, "the start"));
  if (d < absl::ZeroDuration())
    return absl::InvalidArgumentError(absl::StrCat("a business duration must not be negative, got ", DurationText(d)));
  if (d == absl::ZeroDuration()) return start;
  const absl::CivilDay limit = HorizonAfter(start);
  absl::Duration remaining = d;
  absl::Time cursor = start;  // business time before it is counted
  std::vector<Segment> segments;
  for (absl::CivilDay day = absl::ToCivilDay(start, zone_) - 1; day <= limit;) {
    // Whole plain weeks are counted arithmetically, as long as more than a
    // week's business time is left (the deadline itself is found by walking).
    if (remaining > weekly_ && weekly_ > absl::ZeroDuration() && cursor <= Local(day, 0)) {
      absl::Duration rest;
      int64_t wanted = absl::IDivDuration(remaining, weekly_, &rest);
      if (rest == absl::ZeroDuration()) --wanted;
      wanted = std::min<int64_t>(wanted, (limit - day) / 7 + 1);
      if (int64_t n = PlainWeeksFrom(day, wanted); n > 0) {
        remaining -= n * weekly_;
        day += 7 * n;
        continue;
      }
    }
    SegmentsOf(day, segments);
    for (const Segment& s : segments) {
      const absl::Time open = std::max(s.open, cursor);
      if (s.close <= open) continue;
      const absl::Duration length = s.close - open;
      // `<=`: a deadline that lands on a closing time is that instant.
      if (remaining <= length) return open + remaining;
      remaining -= length;
      cursor = s.close;
    }
    ++day;
  }
  return absl::OutOfRangeError(absl::StrCat("calendar \"", calendar_id_, "\": ", DurationText(d),
                                            " of business time does not elapse within ", kSearchHorizonYears,
                                            " years after ", FormatInstant(start)));
}

absl::StatusOr<absl::Duration> BusinessClock::BusinessTimeBetween(absl::Time a, absl::Time b) const {
  CADRE_RETURN_IF_ERROR(CheckFinite(a, "the start"));
  CADRE_RETURN_IF_ERROR(CheckFinite(b, "the end"));
  if (b <= a) return absl::ZeroDuration();
  const absl::CivilDay last = absl::ToCivilDay(b, zone_);
  if (last > HorizonAfter(a))
    return absl::OutOfRangeError(absl::StrCat("calendar \"", calendar_id_, "\": from ", FormatInstant(a), " to ",
                                              FormatInstant(b), " is more than the ", kSearchHorizonYears,
                                              "-year horizon"));
  absl::Duration total;
  std::vector<Segment> segments;
  for (absl::CivilDay day = absl::ToCivilDay(a, zone_) - 1; day <= last + 1;) {
    if (weekly_ > absl::ZeroDuration()) {
      const absl::Time midnight = Local(day, 0);
      if (a <= midnight && midnight < b) {
        absl::Duration unused;
        if (int64_t n = PlainWeeksFrom(day, absl::IDivDuration(b - midnight, kWeek, &unused)); n > 0) {
          total += n * weekly_;
          day += 7 * n;
          continue;
        }
      }
    }
    SegmentsOf(day, segments);
    for (const Segment& s : segments) {
      const absl::Time lo = std::max(s.open, a), hi = std::min(s.close, b);
      if (lo < hi) total += hi - lo;
    }
    ++day;
  }
  return total;
}

// ---- SLA clocks -----------------------------------------------------------------------------

namespace {

absl::Status NotAfter(json::Path& path, std::string_view field, absl::Time t, std::string_view bound_name,
                      absl::Time bound) {
  if (t <= bound) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(),
                    absl::StrCat("must not be after ", AbslView(bound_name), " (", FormatInstant(bound), ")"),
                    Quoted(FormatInstant(t)));
}

absl::Status NotBefore(json::Path& path, std::string_view field, absl::Time t, std::string_view bound_name,
                       absl::Time bound) {
  if (t >= bound) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(),
                    absl::StrCat("must not be before ", AbslView(bound_name), " (", FormatInstant(bound), ")"),
                    Quoted(FormatInstant(t)));
}

struct Span {
  absl::Time from, until;
};

}  // namespace

absl::Status SlaTimeline::Validate(json::Path& path) const {
  if (stopped_at) CADRE_RETURN_IF_ERROR(NotBefore(path, "stopped_at", *stopped_at, "start", start));
  json::PathScope scope(path, "pauses");
  for (std::size_t i = 0; i < pauses.size(); ++i) {
    json::PathScope item(path, i);
    const SlaPause& p = pauses[i];
    if (i == 0) {
      CADRE_RETURN_IF_ERROR(NotBefore(path, "from", p.from, "start", start));
    } else {
      CADRE_RETURN_IF_ERROR(
          NotBefore(path, "from", p.from, absl::StrCat("pauses[", i - 1, "].until"), *pauses[i - 1].until));
    }
    if (stopped_at) CADRE_RETURN_IF_ERROR(NotAfter(path, "from", p.from, "stopped_at", *stopped_at));
    if (!p.until) {
      if (i + 1 == pauses.size()) continue;
      json::PathScope field(path, "until");
      return FieldError(path.str(), "required field is missing (only the last pause may be open)");
    }
    CADRE_RETURN_IF_ERROR(NotBefore(path, "until", *p.until, "from", p.from));
    if (stopped_at) CADRE_RETURN_IF_ERROR(NotAfter(path, "until", *p.until, "stopped_at", *stopped_at));
  }
  return absl::OkStatus();
}

absl::Status SlaPolicy::Validate(json::Path& path) const {
  if (duration <= absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    json::PathScope scope(path, "duration");
    return FieldError(path.str(), "must be a positive, finite business duration", Quoted(DurationText(duration)));
  }
  if (warn_before && (*warn_before <= absl::ZeroDuration() || *warn_before >= duration)) {
    json::PathScope scope(path, "warn_before");
    return FieldError(path.str(),
                      absl::StrCat("must be positive and shorter than duration (", DurationText(duration), ")"),
                      Quoted(DurationText(*warn_before)));
  }
  return absl::OkStatus();
}

absl::StatusOr<SlaState> Evaluate(const BusinessClock& clock, const SlaTimeline& timeline, const SlaPolicy& policy,
                                  absl::Time now) {
  {
    json::Path path("policy");
    CADRE_RETURN_IF_ERROR(policy.Validate(path));
  }
  {
    json::Path path("timeline");
    CADRE_RETURN_IF_ERROR(timeline.Validate(path));
    CADRE_RETURN_IF_ERROR(NotAfter(path, "start", timeline.start, "now", now));
    if (timeline.stopped_at) CADRE_RETURN_IF_ERROR(NotAfter(path, "stopped_at", *timeline.stopped_at, "now", now));
    json::PathScope scope(path, "pauses");
    for (std::size_t i = 0; i < timeline.pauses.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(NotAfter(path, "from", timeline.pauses[i].from, "now", now));
      if (timeline.pauses[i].until)
        CADRE_RETURN_IF_ERROR(NotAfter(path, "until", *timeline.pauses[i].until, "now", now));
    }
  }
  // The clock runs over [start, end) outside the pauses; an open pause lasts to
  // `end`. Past `end` it is taken to run on, unpaused, to project the deadlines.
  const absl::Time end = timeline.stopped_at.value_or(now);
  std::vector<Span> running;
  absl::Time cursor = timeline.start;
  for (const SlaPause& p : timeline.pauses) {
    if (p.from > cursor) running.push_back({cursor, p.from});
    cursor = std::max(cursor, p.until.value_or(end));
  }
  if (end > cursor) running.push_back({cursor, end});
  const absl::Time resume = std::max(cursor, end);

  SlaState state;
  std::vector<absl::Duration> counted;
  for (const Span& s : running) {
    CADRE_ASSIGN_OR_RETURN(absl::Duration d, clock.BusinessTimeBetween(s.from, s.until));
    counted.push_back(d);
    state.elapsed += d;
  }
  // The first instant at which `target` of business time has run.
  auto reached = [&](absl::Duration target) -> absl::StatusOr<absl::Time> {
    absl::Duration sum;
    for (std::size_t i = 0; i < running.size(); ++i) {
      if (sum + counted[i] >= target) return clock.AddBusinessTime(running[i].from, target - sum);
      sum += counted[i];
    }
    return clock.AddBusinessTime(resume, target - sum);
  };
  CADRE_ASSIGN_OR_RETURN(state.due_at, reached(policy.duration));
  if (policy.warn_before) {
    CADRE_ASSIGN_OR_RETURN(state.warning_at, reached(policy.duration - *policy.warn_before));
  }
  state.remaining = std::max(absl::ZeroDuration(), policy.duration - state.elapsed);
  state.overdue = std::max(absl::ZeroDuration(), state.elapsed - policy.duration);
  state.stopped = timeline.stopped_at.has_value();
  const bool paused = !state.stopped && !timeline.pauses.empty() && !timeline.pauses.back().until;
  if (state.stopped) {
    // Completing exactly at due_at is on time.
    state.status = *timeline.stopped_at <= state.due_at ? SlaStatus::kMet : SlaStatus::kMissed;
  } else if (now > state.due_at) {
    state.status = SlaStatus::kBreached;
  } else if (paused) {
    state.status = SlaStatus::kPaused;
  } else if (state.warning_at && now >= *state.warning_at) {
    state.status = SlaStatus::kWarning;
  } else {
    state.status = SlaStatus::kRunning;
  }
  if (state.status == SlaStatus::kBreached || state.status == SlaStatus::kMissed) state.breached_at = state.due_at;
  return state;
}

}  // namespace cadre

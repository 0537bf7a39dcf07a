// cadre/period.h — reporting periods in the workspace's time zone.
//
// A Period is a calendar day, ISO week, month, quarter or year. It is a civil
// notion: "June 2025" for a Shanghai retailer starts at 2025-06-01 00:00 in
// Asia/Shanghai, which Start(tz) turns into an absolute instant.
//
//   CADRE_ASSIGN_OR_RETURN(Period june, Period::Parse("2025-06"));
//   absl::Time from = june.Start(tz), to = june.End(tz);   // [from, to)
//   Period::Containing(Granularity::kWeek, absl::Now(), tz).ToString();  // "2026-W48"
//
// Text forms: "2025-06-18" (day), "2025-W23" (ISO 8601 week), "2025-06" (month),
// "2025-Q2" (quarter), "2025" (year).
#ifndef CADRE_PERIOD_H_
#define CADRE_PERIOD_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe/enum.hpp"

namespace cadre {

enum class Granularity { kDay, kWeek, kMonth, kQuarter, kYear };
BOOST_DESCRIBE_ENUM(Granularity, kDay, kWeek, kMonth, kQuarter, kYear)

class Period {
 public:
  // The period of `granularity` that contains `day`.
  static Period Of(Granularity granularity, absl::CivilDay day);
  // The period of `granularity` containing instant `t` as seen in `tz`.
  static Period Containing(Granularity granularity, absl::Time t, absl::TimeZone tz);
  // Parses the text forms above; InvalidArgument naming the rule otherwise
  // (month 13, week 54 of a 52-week year, year outside 1900..9999, ...).
  static absl::StatusOr<Period> Parse(std::string_view text);

  Granularity granularity() const { return granularity_; }
  absl::CivilDay first_day() const { return first_day_; }
  absl::CivilDay last_day() const { return last_day_; }  // inclusive
  bool Contains(absl::CivilDay day) const { return day >= first_day_ && day <= last_day_; }

  // [Start, End) in `tz`.
  absl::Time Start(absl::TimeZone tz) const;
  absl::Time End(absl::TimeZone tz) const;

  Period Next() const;
  Period Previous() const;
  // The same period one year earlier (for week periods: the same ISO week number
  // of the previous ISO year, or week 52 when that year has no week 53; for
  // 29 February: 28 February).
  Period SamePeriodLastYear() const;

  std::string ToString() const;

  friend bool operator==(const Period&, const Period&) = default;
  friend bool operator<(const Period& a, const Period& b) {
    if (a.first_day_ != b.first_day_) return a.first_day_ < b.first_day_;
    return a.granularity_ < b.granularity_;
  }

 private:
  Period(Granularity g, absl::CivilDay first) : granularity_(g), first_day_(first), last_day_(LastDay(g, first)) {}
  static absl::CivilDay LastDay(Granularity g, absl::CivilDay first);
  Granularity granularity_ = Granularity::kDay;
  absl::CivilDay first_day_;
  absl::CivilDay last_day_;  // held, not derived on each call: engines ask for it per day and per credit
};

// Loads an IANA time zone ("Asia/Shanghai"); InvalidArgument naming `path` if unknown.
absl::StatusOr<absl::TimeZone> LoadTimeZone(std::string_view name, std::string_view path = "time_zone");

// RFC 3339 with offset, e.g. "2025-06-18T10:00:00+08:00"; FormatInstant prints UTC ("...Z").
absl::StatusOr<absl::Time> ParseInstant(std::string_view text);
std::string FormatInstant(absl::Time t);
// "2025-06-18".
absl::StatusOr<absl::CivilDay> ParseDay(std::string_view text);
std::string FormatDay(absl::CivilDay day);

}  // namespace cadre

#endif  // CADRE_PERIOD_H_

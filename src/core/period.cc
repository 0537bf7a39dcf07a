#include "cadre/period.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cadre/id.h"
#include "cadre/status.h"

namespace cadre {
namespace {

// Writes `value` as exactly `width` decimal digits, zero-padded (0 <= value < 10^width).
void PutDigits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;

constexpr std::string_view kPeriodShape =
    "expected a period like \"2025-06-18\", \"2025-W23\", \"2025-06\", \"2025-Q2\" or \"2025\"";
constexpr std::string_view kDayShape = "expected a date like \"2025-06-18\"";
constexpr std::string_view kInstantShape =
    "expected an RFC 3339 time with offset, like \"2025-06-18T10:00:00+08:00\" or \"2025-06-18T02:00:00Z\"";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `text[pos]`.
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

// The rule a year-month-day triple breaks, or empty if it is a real date.
std::string_view DateRule(int year, int month, int day) {
  if (month < 1 || month > 12) return "month must be in 01..12";
  const absl::CivilDay date(year, month, day);
  if (day < 1 || date.month() != month || date.day() != day) return "no such day in that month";
  return {};
}

// ISO 8601 weeks start on Monday; absl numbers Monday 0 .. Sunday 6.
absl::CivilDay MondayOf(absl::CivilDay day) { return day - static_cast<int>(absl::GetWeekday(day)); }

// Week 1 of an ISO year is the week that contains 4 January.
absl::CivilDay FirstMondayOfIsoYear(int64_t year) { return MondayOf(absl::CivilDay(year, 1, 4)); }

int IsoWeeksInYear(int64_t year) {
  return static_cast<int>((FirstMondayOfIsoYear(year + 1) - FirstMondayOfIsoYear(year)) / 7);
}

struct IsoWeek {
  int64_t year;
  int week;
};

// The ISO year of a week is the calendar year of its Thursday.
IsoWeek IsoWeekOf(absl::CivilDay day) {
  const absl::CivilDay thursday = MondayOf(day) + 3;
  const int64_t year = thursday.year();
  return {year, static_cast<int>((thursday - FirstMondayOfIsoYear(year)) / 7) + 1};
}

absl::CivilDay IsoWeekStart(int64_t year, int week) { return FirstMondayOfIsoYear(year) + 7 * (week - 1); }

// Time zone names are looked up as files under the zoneinfo directory, and abseil
// also understands "localtime", absolute paths and a "file:" prefix. Only IANA
// names are meant, so anything else is refused before it reaches the file system.
bool LooksLikeIanaName(std::string_view name) {
  if (name.empty() || name == "localtime") return false;
  std::size_t component_begin = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view component = name.substr(component_begin, i - component_begin);
      if (component.empty() || component == "." || component == "..") return false;
      component_begin = i + 1;
      continue;
    }
    const char c = name[i];
    const bool allowed =
        IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c == '+' || c == '.';
    if (!allowed) return false;
  }
  return true;
}

// The layout of RFC 3339 date-time (section 5.6) with a mandatory offset, checked
// before abseil parses it: absl::ParseTime also skips surrounding whitespace and
// takes "infinite-future", which are not RFC 3339. Returns the rule broken, or
// empty.
std::string_view InstantShapeRule(std::string_view text) {
  int unused;
  if (!ReadDigits(text, 0, 4, unused) || text.size() < 19 || text[4] != '-' || !ReadDigits(text, 5, 2, unused) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, unused) || (text[10] != 'T' && text[10] != 't') ||
      !ReadDigits(text, 11, 2, unused) || text[13] != ':' || !ReadDigits(text, 14, 2, unused) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, unused)) {
    return kInstantShape;
  }
  std::size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    const std::size_t digits_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == digits_begin) return kInstantShape;
  }
  if (i == text.size()) return "time has no UTC offset: add \"Z\" or one like \"+08:00\"";
  const std::string_view offset = text.substr(i);
  if (offset == "Z" || offset == "z") return {};
  if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && ReadDigits(offset, 1, 2, unused) &&
      offset[3] == ':' && ReadDigits(offset, 4, 2, unused)) {
    return {};
  }
  return kInstantShape;
}

}  // namespace

Period Period::Of(Granularity granularity, absl::CivilDay day) {
  switch (granularity) {
    case Granularity::kDay:
      return Period(granularity, day);
    case Granularity::kWeek:
      return Period(granularity, MondayOf(day));
    case Granularity::kMonth:
      return Period(granularity, absl::CivilDay(day.year(), day.month(), 1));
    case Granularity::kQuarter:
      return Period(granularity, absl::CivilDay(day.year(), (day.month() - 1) / 3 * 3 + 1, 1));
    case Granularity::kYear:
      return Period(granularity, absl::CivilDay(day.year(), 1, 1));
  }
  return Period(Granularity::kDay, day);
}

Period Period::Containing(Granularity granularity, absl::Time t, absl::TimeZone tz) {
  return Of(granularity, absl::ToCivilDay(t, tz));
}

absl::StatusOr<Period> Period::Parse(std::string_view text) {
  auto refuse = [&](std::string_view rule) { return FieldError("", rule, QuoteJson(text)); };
  int year;
  if (!ReadDigits(text, 0, 4, year) || (text.size() > 4 && text[4] != '-')) return refuse(kPeriodShape);
  const std::string_view rest = text.size() > 4 ? text.substr(5) : std::string_view();
  int month = 0, day = 0, week = 0, quarter = 0;
  Granularity granularity;
  if (text.size() == 4) {
    granularity = Granularity::kYear;
  } else if (rest.size() == 3 && rest[0] == 'W' && ReadDigits(rest, 1, 2, week)) {
    granularity = Granularity::kWeek;
  } else if (rest.size() == 2 && rest[0] == 'Q' && ReadDigits(rest, 1, 1, quarter)) {
    granularity = Granularity::kQuarter;
  } else if (rest.size() == 2 && ReadDigits(rest, 0, 2, month)) {
    granularity = Granularity::kMonth;
  } else if (rest.size() == 5 && ReadDigits(rest, 0, 2, month) && rest[2] == '-' && ReadDigits(rest, 3, 2, day)) {
    granularity = Granularity::kDay;
  } else {
    return refuse(kPeriodShape);
  }
  if (year < kMinYear || year > kMaxYear) return refuse("year must be in 1900..9999");

  switch (granularity) {
    case Granularity::kYear:
      return Period(granularity, absl::CivilDay(year, 1, 1));
    case Granularity::kQuarter:
      if (quarter < 1 || quarter > 4) return refuse("quarter must be in Q1..Q4");
      return Period(granularity, absl::CivilDay(year, (quarter - 1) * 3 + 1, 1));
    case Granularity::kMonth:
      if (month < 1 || month > 12) return refuse("month must be in 01..12");
      return Period(granularity, absl::CivilDay(year, month, 1));
    case Granularity::kDay:
      if (std::string_view rule = DateRule(year, month, day); !rule.empty()) return refuse(rule);
      return Period(granularity, absl::CivilDay(year, month, day));
    case Granularity::kWeek: {
      const int weeks = IsoWeeksInYear(year);
      if (week < 1 || week > weeks) {
        return refuse(absl::StrFormat("week must be in W01..W%02d (ISO year %04d has %d weeks)", weeks, year, weeks));
      }
      return Period(granularity, IsoWeekStart(year, week));
    }
  }
  return refuse(kPeriodShape);
}

absl::CivilDay Period::LastDay(Granularity g, absl::CivilDay first) {
  switch (g) {
    case Granularity::kDay:
      return first;
    case Granularity::kWeek:
      return first + 6;
    case Granularity::kMonth:
      return absl::CivilDay(absl::CivilMonth(first) + 1) - 1;
    case Granularity::kQuarter:
      return absl::CivilDay(absl::CivilMonth(first) + 3) - 1;
    case Granularity::kYear:
      return absl::CivilDay(absl::CivilYear(first) + 1) - 1;
  }
  return first;
}

absl::Time Period::Start(absl::TimeZone tz) const {
  // FromCivil takes the earlier instant when midnight repeats, and the transition
  // itself when a zone skips midnight: either way, the first instant of the day.
  return absl::FromCivil(absl::CivilSecond(first_day_), tz);
}

absl::Time Period::End(absl::TimeZone tz) const { return Next().Start(tz); }

// The next period starts the day after this one ends (LastDay holds the
// calendar rules).
Period Period::Next() const { return Period(granularity_, last_day_ + 1); }

Period Period::Previous() const {
  switch (granularity_) {
    case Granularity::kDay:
      return Period(granularity_, first_day_ - 1);
    case Granularity::kWeek:
      return Period(granularity_, first_day_ - 7);
    case Granularity::kMonth:
      return Period(granularity_, absl::CivilDay(absl::CivilMonth(first_day_) - 1));
    case Granularity::kQuarter:
      return Period(granularity_, absl::CivilDay(absl::CivilMonth(first_day_) - 3));
    case Granularity::kYear:
      return Period(granularity_, absl::CivilDay(absl::CivilYear(first_day_) - 1));
  }
  return *this;
}

Period Period::SamePeriodLastYear() const {
  switch (granularity_) {
    case Granularity::kDay: {
      const int64_t year = first_day_.year() - 1;
      // 29 February has no twin in the year before; the last day of February is
      // the closest comparable day (CivilDay would roll it over to 1 March).
      if (first_day_.month() == 2 && first_day_.day() == 29) return Period(granularity_, absl::CivilDay(year, 2, 28));
      return Period(granularity_, absl::CivilDay(year, first_day_.month(), first_day_.day()));
    }
    case Granularity::kWeek: {
      const IsoWeek iso = IsoWeekOf(first_day_);
      const int64_t year = iso.year - 1;
      const int week = std::min(iso.week, IsoWeeksInYear(year));
      return Period(granularity_, IsoWeekStart(year, week));
    }
    case Granularity::kMonth:
    case Granularity::kQuarter:
    case Granularity::kYear:
      return Period(granularity_, absl::CivilDay(first_day_.year() - 1, first_day_.month(), 1));
  }
  return *this;
}

std::string Period::ToString() const {
  // The common texts are written by hand (engines build them per statement);
  // StrFormat below covers weeks, days and years beyond four digits.
  if (first_day_.year() >= 0 && first_day_.year() <= 9999) {
    char text[7];
    PutDigits(text, static_cast<int>(first_day_.year()), 4);
    text[4] = '-';
    switch (granularity_) {
      case Granularity::kMonth:
        PutDigits(text + 5, first_day_.month(), 2);
        return std::string(text, 7);
      case Granularity::kQuarter:
        text[5] = 'Q';
        text[6] = static_cast<char>('0' + (first_day_.month() - 1) / 3 + 1);
        return std::string(text, 7);
      case Granularity::kYear:
        return std::string(text, 4);
      default:
        break;
    }
  }
  switch (granularity_) {
    case Granularity::kDay:
      return FormatDay(first_day_);
    case Granularity::kWeek: {
      const IsoWeek iso = IsoWeekOf(first_day_);
      return absl::StrFormat("%04d-W%02d", iso.year, iso.week);
    }
    case Granularity::kMonth:
      return absl::StrFormat("%04d-%02d", first_day_.year(), first_day_.month());
    case Granularity::kQuarter:
      return absl::StrFormat("%04d-Q%d", first_day_.year(), (first_day_.month() - 1) / 3 + 1);
    case Granularity::kYear:
      return absl::StrFormat("%04d", first_day_.year());
  }
  return FormatDay(first_day_);
}

absl::StatusOr<absl::TimeZone> LoadTimeZone(std::string_view name, std::string_view path) {
  absl::TimeZone tz;
  if (!LooksLikeIanaName(name) || !absl::LoadTimeZone(std::string(name), &tz)) {
    return FieldError(path, "unknown IANA time zone", QuoteJson(name));
  }
  return tz;
}

absl::StatusOr<absl::Time> ParseInstant(std::string_view text) {
  if (std::string_view rule = InstantShapeRule(text); !rule.empty()) return FieldError("", rule, QuoteJson(text));
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, AbslView(text), &t, &error)) {
    return FieldError("", absl::StrCat("not a valid date and time (", error, ")"), QuoteJson(text));
  }
  return t;
}

std::string FormatInstant(absl::Time t) {
  // %E*S prints fractional seconds only as far as they are non-zero.
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::CivilDay> ParseDay(std::string_view text) {
  int year, month, day;
  if (text.size() != 10 || !ReadDigits(text, 0, 4, year) || text[4] != '-' || !ReadDigits(text, 5, 2, month) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, day)) {
    return FieldError("", kDayShape, QuoteJson(text));
  }
  if (std::string_view rule = DateRule(year, month, day); !rule.empty()) return FieldError("", rule, QuoteJson(text));
  return absl::CivilDay(year, month, day);
}

std::string FormatDay(absl::CivilDay day) {
  if (day.year() < 0 || day.year() > 9999) return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
  char text[10];
  PutDigits(text, static_cast<int>(day.year()), 4);
  text[4] = '-';
  PutDigits(text + 5, day.month(), 2);
  text[7] = '-';
  PutDigits(text + 8, day.day(), 2);
  return std::string(text, sizeof(text));
}

}  // namespace cadre

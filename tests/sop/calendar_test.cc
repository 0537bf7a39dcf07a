#include "cadre/calendar.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

absl::TimeZone Zone(std::string_view name) {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(name);
  EXPECT_TRUE(tz.ok()) << name << ": " << tz.status();
  return tz.ok() ? *tz : absl::UTCTimeZone();
}

const absl::TimeZone kShanghai = Zone("Asia/Shanghai");
const absl::TimeZone kNewYork = Zone("America/New_York");

// An instant given as UTC, built without the code under test.
absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}
// A Shanghai wall-clock time (UTC+8 all year, no DST).
absl::Time Sh(int y, int m, int d, int hh, int mm = 0, int ss = 0) { return Utc(y, m, d, hh, mm, ss) - absl::Hours(8); }

std::string Text(absl::Time t) { return FormatInstant(t); }
std::string Message(const absl::Status& status) { return std::string(status.message()); }

BusinessCalendar Calendar(std::string_view text) {
  absl::StatusOr<BusinessCalendar> c = json::FromText<BusinessCalendar>(text);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : BusinessCalendar{};
}

BusinessClock Clock(std::string_view text, absl::TimeZone zone = kShanghai) {
  absl::StatusOr<BusinessClock> clock = BusinessClock::Create(Calendar(text), zone);
  EXPECT_TRUE(clock.ok()) << clock.status();
  if (clock.ok()) return *clock;
  // Something to keep going with; the test has failed already.
  return *BusinessClock::Create(Calendar(R"({"id":"x","hours":[{"days":["mon"],"from":"09:00","to":"10:00"}]})"), zone);
}

// Mon-Fri 09:00-18:00 in the workspace zone.
constexpr std::string_view kWeekdays =
    R"({"id":"weekdays","hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}]})";

// Mon-Fri 09:00-12:00 and 13:00-18:00 (8 hours), National Day off, a make-up Saturday.
constexpr std::string_view kChina = R"({
  "id": "cn", "name": "China retail", "time_zone": "Asia/Shanghai",
  "hours": [{"days": ["mon","tue","wed","thu","fri"], "from": "09:00", "to": "12:00"},
            {"days": ["mon","tue","wed","thu","fri"], "from": "13:00", "to": "18:00"}],
  "holidays": [{"from": "2026-10-01", "to": "2026-10-07", "name": "National Day"}],
  "working_days": [{"on": "2026-10-10", "like": "fri", "name": "National Day make-up"}]
})";

absl::Time Add(const BusinessClock& clock, absl::Time start, absl::Duration d) {
  absl::StatusOr<absl::Time> t = clock.AddBusinessTime(start, d);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : absl::InfinitePast();
}

absl::Duration Between(const BusinessClock& clock, absl::Time a, absl::Time b) {
  absl::StatusOr<absl::Duration> d = clock.BusinessTimeBetween(a, b);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : -absl::Hours(1);
}

absl::Time NextOpen(const BusinessClock& clock, absl::Time t) {
  absl::StatusOr<absl::Time> open = clock.NextOpen(t);
  EXPECT_TRUE(open.ok()) << open.status();
  return open.ok() ? *open : absl::InfinitePast();
}

#define EXPECT_INSTANT(actual, expected) EXPECT_EQ(Text(actual), Text(expected))

// ---- Business time -------------------------------------------------------------------

TEST(BusinessClockTest, AcrossAWeekendInShanghai) {
  BusinessClock clock = Clock(kWeekdays);
  EXPECT_EQ(clock.weekly_business_time(), absl::Hours(45));
  // Friday 2026-03-06 16:00: 2 hours on Friday, 2 on Monday.
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 6, 16), absl::Hours(4)), Sh(2026, 3, 9, 11));
  EXPECT_EQ(Between(clock, Sh(2026, 3, 6, 16), Sh(2026, 3, 9, 11)), absl::Hours(4));
  EXPECT_EQ(Between(clock, Sh(2026, 3, 7, 0), Sh(2026, 3, 9, 0)), absl::ZeroDuration());
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 3, 7, 12)));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 3, 6, 17, 59, 59)));
}

TEST(BusinessClockTest, NationalDayAndAMakeUpSaturday) {
  BusinessClock clock = Clock(kChina, absl::UTCTimeZone());  // the calendar's own zone wins
  EXPECT_EQ(clock.zone().name(), "Asia/Shanghai");
  EXPECT_EQ(clock.weekly_business_time(), absl::Hours(40));
  // Wednesday 2026-09-30 17:00: 1 hour, then 1..7 October off, then Thursday the 8th.
  EXPECT_INSTANT(Add(clock, Sh(2026, 9, 30, 17), absl::Hours(8)), Sh(2026, 10, 8, 17));
  EXPECT_EQ(Between(clock, Sh(2026, 9, 30, 0), Sh(2026, 10, 9, 0)), absl::Hours(16));
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 10, 1, 10)));
  EXPECT_INSTANT(NextOpen(clock, Sh(2026, 10, 1, 10)), Sh(2026, 10, 8, 9));
  // Friday the 9th 15:00: 3 hours on Friday, then Saturday the 10th is worked like a Friday.
  EXPECT_INSTANT(Add(clock, Sh(2026, 10, 9, 15), absl::Hours(8)), Sh(2026, 10, 10, 15));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 10, 10, 9)));
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 10, 10, 12, 30)));  // lunch, as on a Friday
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 10, 11, 10)));      // Sunday stays off
  EXPECT_EQ(Between(clock, Sh(2026, 10, 10, 0), Sh(2026, 10, 11, 0)), absl::Hours(8));
}

// The example of docs/sop.md, with its claims.
TEST(BusinessClockTest, TheDocumentedCalendar) {
  BusinessClock clock = Clock(R"({
    "id": "cn-retail",
    "name": "China retail, head office hours",
    "time_zone": "Asia/Shanghai",
    "hours": [
      {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:00"},
      {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "13:00", "to": "18:00"},
      {"days": ["sat"], "from": "10:00", "to": "16:00"}
    ],
    "holidays": [
      {"on": "2026-05-01", "name": "Labour Day"},
      {"from": "2026-10-01", "to": "2026-10-07", "name": "National Day"}
    ],
    "working_days": [
      {"on": "2026-10-10", "like": "fri", "name": "National Day make-up"}
    ]
  })");
  EXPECT_EQ(clock.weekly_business_time(), absl::Hours(46));
  EXPECT_INSTANT(Add(clock, Sh(2026, 9, 30, 17), absl::Hours(8)), Sh(2026, 10, 8, 17));
  EXPECT_INSTANT(Add(clock, Sh(2026, 10, 9, 15), absl::Hours(8)), Sh(2026, 10, 10, 15));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 10, 10, 9, 30)));  // Friday's hours, not Saturday's 10:00
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 10, 17, 10)));     // an ordinary Saturday
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 5, 1, 10)));      // Labour Day, a Friday
}

TEST(BusinessClockTest, StartOutsideHoursCountsFromTheNextOpening) {
  BusinessClock clock = Clock(kWeekdays);
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 8, 20), absl::Hours(1)), Sh(2026, 3, 9, 10));  // Sunday evening
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 7), absl::Minutes(30)), Sh(2026, 3, 9, 9, 30));
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 18), absl::Minutes(1)), Sh(2026, 3, 10, 9, 1));
  EXPECT_INSTANT(NextOpen(clock, Sh(2026, 3, 8, 20)), Sh(2026, 3, 9, 9));
  EXPECT_INSTANT(NextOpen(clock, Sh(2026, 3, 9, 10)), Sh(2026, 3, 9, 10));  // open: itself
  EXPECT_INSTANT(NextOpen(clock, Sh(2026, 3, 9, 18)), Sh(2026, 3, 10, 9));  // closing is closed
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 8, 20), absl::ZeroDuration()), Sh(2026, 3, 8, 20));
}

TEST(BusinessClockTest, ADeadlineLandingOnClosingTimeIsThatInstant) {
  BusinessClock clock = Clock(kWeekdays);
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 9), absl::Hours(9)), Sh(2026, 3, 9, 18));
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 9), absl::Hours(9) + absl::Seconds(1)), Sh(2026, 3, 10, 9, 0, 1));
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 3, 9, 18)));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 3, 9, 9)));
  // A whole week's business time from Friday 18:00 ends on the next Friday at 18:00.
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 6, 18), absl::Hours(45)), Sh(2026, 3, 13, 18));
}

TEST(BusinessClockTest, LunchBreaks) {
  BusinessClock clock = Clock(kChina);
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 11), absl::Hours(2)), Sh(2026, 3, 9, 14));
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 9), absl::Hours(3)), Sh(2026, 3, 9, 12));  // not 13:00
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 12, 15), absl::Minutes(5)), Sh(2026, 3, 9, 13, 5));
  EXPECT_EQ(Between(clock, Sh(2026, 3, 9, 11, 30), Sh(2026, 3, 9, 13, 30)), absl::Hours(1));
  EXPECT_FALSE(clock.IsOpen(Sh(2026, 3, 9, 12)));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 3, 9, 13)));
  EXPECT_INSTANT(NextOpen(clock, Sh(2026, 3, 9, 12, 30)), Sh(2026, 3, 9, 13));
}

TEST(BusinessClockTest, TouchingIntervalsJoin) {
  BusinessClock clock = Clock(R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"12:00"},
                                                  {"days":["mon"],"from":"12:00","to":"24:00"},
                                                  {"days":["tue"],"from":"00:00","to":"02:00"}]})");
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 3, 9, 12)));
  EXPECT_TRUE(clock.IsOpen(Sh(2026, 3, 10, 0)));
  // Monday 23:00 + 2 hours runs over midnight without a gap.
  EXPECT_INSTANT(Add(clock, Sh(2026, 3, 9, 23), absl::Hours(2)), Sh(2026, 3, 10, 1));
  EXPECT_EQ(clock.weekly_business_time(), absl::Hours(17));
}

TEST(BusinessClockTest, NewYorkAcrossTheMarchChange) {
  // Clocks go from 02:00 EST to 03:00 EDT on Sunday 2026-03-08.
  BusinessClock clock =
      Clock(R"({"id":"ny","hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"},
                                                     {"days":["sun"],"from":"01:00","to":"04:00"}]})",
            kNewYork);
  // Friday 15:00 EST (20:00Z): 2 hours on Friday, then Sunday's 01:00-04:00, which is 2 real hours
  // (06:00Z-08:00Z), then Monday from 09:00 EDT (13:00Z).
  EXPECT_INSTANT(Add(clock, Utc(2026, 3, 6, 20), absl::Hours(4)), Utc(2026, 3, 8, 8));         // Sunday 04:00 EDT
  EXPECT_EQ(Between(clock, Utc(2026, 3, 8, 5), Utc(2026, 3, 9, 5)), absl::Hours(2));           // Sunday's 01:00-04:00
  EXPECT_INSTANT(Add(clock, Utc(2026, 3, 8, 6, 30), absl::Hours(1)), Utc(2026, 3, 8, 7, 30));  // 01:30 EST -> 03:30 EDT
  EXPECT_INSTANT(Add(clock, Utc(2026, 3, 6, 20), absl::Hours(6)), Utc(2026, 3, 9, 15));        // Monday 11:00 EDT
  EXPECT_INSTANT(NextOpen(clock, Utc(2026, 3, 8, 9)), Utc(2026, 3, 9, 13));                    // Monday 09:00 EDT
  EXPECT_TRUE(clock.IsOpen(Utc(2026, 3, 9, 13)));
  EXPECT_FALSE(clock.IsOpen(Utc(2026, 3, 9, 21)));  // 17:00 EDT
  EXPECT_TRUE(clock.IsOpen(Utc(2026, 3, 6, 21)));   // 16:00 EST
}

TEST(BusinessClockTest, NewYorkSkippedAndRepeatedHours) {
  BusinessClock clock = Clock(R"({"id":"ny","hours":[{"days":["sun"],"from":"00:00","to":"24:00"},
                                                     {"days":["sat"],"from":"02:30","to":"05:00"}]})",
                              kNewYork);
  // The whole Sunday of the change is 23 hours; of the November one, 25.
  EXPECT_EQ(Between(clock, Utc(2026, 3, 8, 5), Utc(2026, 3, 9, 4)), absl::Hours(23));
  EXPECT_EQ(Between(clock, Utc(2026, 11, 1, 4), Utc(2026, 11, 2, 5)), absl::Hours(25));
  BusinessClock skipped = Clock(R"({"id":"ny","hours":[{"days":["sun"],"from":"02:30","to":"05:00"},
                                                       {"days":["mon"],"from":"09:00","to":"10:00"}]})",
                                kNewYork);
  // 02:30 does not exist on 2026-03-08: the interval opens when the clock jumps to 03:00 EDT (07:00Z).
  EXPECT_INSTANT(NextOpen(skipped, Utc(2026, 3, 8, 5)), Utc(2026, 3, 8, 7));
  EXPECT_EQ(Between(skipped, Utc(2026, 3, 8, 5), Utc(2026, 3, 9, 5)), absl::Hours(2));
  EXPECT_FALSE(skipped.IsOpen(Utc(2026, 3, 8, 6, 59)));
  // A week earlier it is 2.5 hours (EST all day): 07:30Z to 10:00Z.
  EXPECT_INSTANT(NextOpen(skipped, Utc(2026, 3, 1, 5)), Utc(2026, 3, 1, 7, 30));
  EXPECT_EQ(Between(skipped, Utc(2026, 3, 1, 5), Utc(2026, 3, 2, 5)), absl::Minutes(150));
  BusinessClock repeated = Clock(R"({"id":"ny","hours":[{"days":["sun"],"from":"01:00","to":"01:30"}]})", kNewYork);
  // 01:00-01:30 happens twice on 2026-11-01; the interval is its first occurrence (EDT, 05:00Z-05:30Z).
  EXPECT_TRUE(repeated.IsOpen(Utc(2026, 11, 1, 5, 15)));
  EXPECT_FALSE(repeated.IsOpen(Utc(2026, 11, 1, 6, 15)));
  EXPECT_EQ(Between(repeated, Utc(2026, 11, 1, 0), Utc(2026, 11, 2, 0)), absl::Minutes(30));
}

TEST(BusinessClockTest, LongDurationsSkipWholeWeeks) {
  BusinessClock china =
      Clock(R"({"id":"cn","hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"12:00"},
                                                     {"days":["mon","tue","wed","thu","fri"],"from":"13:00","to":"18:00"}]})");
  // 2,000 hours at 40 a week from Monday 2026-01-05 09:00 is 50 whole weeks: Friday 2026-12-18 at closing.
  EXPECT_INSTANT(Add(china, Sh(2026, 1, 5, 9), absl::Hours(2000)), Sh(2026, 12, 18, 18));
  EXPECT_EQ(Between(china, Sh(2026, 1, 5, 9), Sh(2026, 12, 18, 18)), absl::Hours(2000));
  // From a Saturday the 50 weeks are counted whole, and still end at Friday's closing.
  EXPECT_INSTANT(Add(china, Sh(2026, 1, 3, 12), absl::Hours(2000)), Sh(2026, 12, 18, 18));
  EXPECT_EQ(Between(china, Sh(2026, 1, 5, 0), Sh(2026, 12, 19, 0)), absl::Hours(2000));
  // New York, 09:00-17:00: the same 50 weeks across both clock changes end at 17:00 EST.
  BusinessClock ny =
      Clock(R"({"id":"ny","hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00"}]})", kNewYork);
  EXPECT_INSTANT(Add(ny, Utc(2026, 1, 5, 14), absl::Hours(2000)), Utc(2026, 12, 18, 22));
  EXPECT_EQ(Between(ny, Utc(2026, 1, 5, 14), Utc(2026, 12, 18, 22)), absl::Hours(2000));
  // National Day takes 5 working days (October 1, 2, 5, 6, 7) and the make-up Saturday gives one
  // back: 4 working days later, Thursday 2026-12-24.
  BusinessClock holidays = Clock(kChina);
  EXPECT_INSTANT(Add(holidays, Sh(2026, 1, 5, 9), absl::Hours(2000)), Sh(2026, 12, 24, 18));
  // Ten years of business time, answered without walking minute by minute.
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(holidays.AddBusinessTime(Sh(2026, 1, 5, 9), absl::Hours(40 * 52 * 10 + i)).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
}

TEST(BusinessClockTest, BoundedSearchHorizon) {
  BusinessClock clock = Clock(R"({"id":"closed","hours":[{"days":["mon"],"from":"09:00","to":"10:00"}],
                                  "holidays":[{"from":"2026-01-01","to":"2099-12-31"}]})");
  absl::StatusOr<absl::Time> t = clock.AddBusinessTime(Sh(2026, 3, 9, 9), absl::Hours(1));
  EXPECT_EQ(t.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Message(t.status()),
            "calendar \"closed\": 1h of business time does not elapse within 20 years after 2026-03-09T01:00:00Z");
  absl::StatusOr<absl::Time> open = clock.NextOpen(Sh(2026, 3, 9, 9));
  EXPECT_EQ(open.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Message(open.status()),
            "calendar \"closed\" has no working hours within 20 years after 2026-03-09T01:00:00Z");
  absl::StatusOr<absl::Duration> d = clock.BusinessTimeBetween(Sh(2026, 3, 9, 9), Sh(2050, 3, 9, 9));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kOutOfRange);
  // A duration too long for an open calendar is refused the same way, and quickly.
  BusinessClock weekdays = Clock(kWeekdays);
  EXPECT_EQ(weekdays.AddBusinessTime(Sh(2026, 3, 9, 9), absl::Hours(45 * 52 * 21)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(weekdays.AddBusinessTime(Sh(2026, 3, 9, 9), absl::InfiniteDuration()).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Message(weekdays.AddBusinessTime(Sh(2026, 3, 9, 9), -absl::Hours(1)).status()),
            "a business duration must not be negative, got -1h");
  EXPECT_EQ(weekdays.NextOpen(absl::InfiniteFuture()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Between(weekdays, Sh(2026, 3, 9, 12), Sh(2026, 3, 9, 10)), absl::ZeroDuration());
}

// ---- Randomised comparison with a minute-by-minute reference ------------------------------

// The reference reads the rules straight off the calendar: an instant is open
// when the highest reading the local clock has shown so far (its "high-water"
// time, which only differs from the reading during a repeated hour) falls in a
// working interval of that reading's day.
struct Reference {
  const BusinessCalendar& calendar;

  bool OpenAt(absl::CivilSecond local) const {
    const absl::CivilDay day(local);
    const int minute = local.hour() * 60 + local.minute();
    for (const Holiday& h : calendar.holidays) {
      const absl::CivilDay first = h.on ? *h.on : *h.from, last = h.on ? *h.on : *h.to;
      if (day >= first && day <= last) return false;
    }
    Weekday weekday = static_cast<Weekday>(static_cast<int>(absl::GetWeekday(day)));
    for (const MakeUpDay& m : calendar.working_days)
      if (m.on == day) weekday = m.like;
    for (const WorkingHours& h : calendar.hours) {
      if (std::find(h.days.begin(), h.days.end(), weekday) == h.days.end()) continue;
      const int from = std::stoi(h.from.substr(0, 2)) * 60 + std::stoi(h.from.substr(3));
      const int to = std::stoi(h.to.substr(0, 2)) * 60 + std::stoi(h.to.substr(3));
      if (minute >= from && minute < to) return true;
    }
    return false;
  }
};

std::string HhMm(int minute) { return absl::StrFormat("%02d:%02d", minute / 60, minute % 60); }

BusinessCalendar RandomCalendar(std::mt19937& rng, absl::CivilDay first_day, int days) {
  BusinessCalendar c;
  c.id = "random";
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  while (c.hours.empty()) {
    for (int d = 0; d < 7; ++d) {
      if (uniform(0, 9) < 3) continue;
      // Distinct boundaries on a half-hour grid, now and then an odd minute.
      std::vector<int> cuts;
      const int count = 2 * uniform(1, 3);
      while (static_cast<int>(cuts.size()) < count) {
        int m = uniform(0, 48) * 30;
        if (uniform(0, 4) == 0) m = uniform(0, 1440);
        if (std::find(cuts.begin(), cuts.end(), m) == cuts.end()) cuts.push_back(m);
      }
      std::sort(cuts.begin(), cuts.end());
      for (int k = 0; k < count; k += 2) {
        if (cuts[k + 1] - cuts[k] >= 2 && uniform(0, 3) == 0) {  // two intervals that touch
          const int mid = cuts[k] + (cuts[k + 1] - cuts[k]) / 2;
          c.hours.push_back({{static_cast<Weekday>(d)}, HhMm(cuts[k]), HhMm(mid)});
          c.hours.push_back({{static_cast<Weekday>(d)}, HhMm(mid), HhMm(cuts[k + 1])});
        } else {
          c.hours.push_back({{static_cast<Weekday>(d)}, HhMm(cuts[k]), HhMm(cuts[k + 1])});
        }
      }
    }
  }
  std::vector<bool> taken(days + 10, false);
  for (int i = uniform(0, 4); i > 0; --i) {
    const int at = uniform(0, days - 1), length = uniform(1, 5);
    bool free = true;
    for (int k = at; k < at + length; ++k) free = free && !taken[k];
    if (!free) continue;
    for (int k = at; k < at + length; ++k) taken[k] = true;
    Holiday h;
    if (length == 1) {
      h.on = first_day + at;
    } else {
      h.from = first_day + at;
      h.to = first_day + at + length - 1;
    }
    c.holidays.push_back(h);
  }
  for (int i = uniform(0, 3); i > 0; --i) {
    const int at = uniform(0, days - 1);
    if (taken[at]) continue;
    taken[at] = true;
    c.working_days.push_back({first_day + at, c.hours[uniform(0, static_cast<int>(c.hours.size()) - 1)].days[0]});
  }
  return c;
}

TEST(BusinessClockPropertyTest, AgreesWithAMinuteByMinuteReference) {
  const std::string_view zones[] = {"UTC",           "Asia/Shanghai",       "America/New_York",
                                    "Europe/London", "Australia/Lord_Howe", "America/Santiago"};
  // Windows around 2026's clock changes (Lord Howe moves by 30 minutes; Santiago at midnight).
  const absl::CivilDay starts[] = {absl::CivilDay(2026, 2, 20),  absl::CivilDay(2026, 3, 20),
                                   absl::CivilDay(2026, 8, 25),  absl::CivilDay(2026, 9, 20),
                                   absl::CivilDay(2026, 10, 15), absl::CivilDay(2026, 6, 1)};
  constexpr int kDays = 42;
  constexpr int kMinutes = kDays * 24 * 60;
  std::mt19937 rng(20260308);
  for (int round = 0; round < 48; ++round) {
    const absl::TimeZone zone = Zone(zones[round % std::size(zones)]);
    const absl::CivilDay first_day = starts[(round / std::size(zones)) % std::size(starts)] + round % 5;
    BusinessCalendar calendar = RandomCalendar(rng, first_day, kDays);
    SCOPED_TRACE(absl::StrCat("round ", round, " ", zone.name(), " ", json::ToText(calendar)));
    absl::StatusOr<BusinessClock> clock = BusinessClock::Create(calendar, zone);
    ASSERT_TRUE(clock.ok()) << clock.status();

    // open[k]: minute k of the window; prefix[k]: open minutes before it.
    const absl::Time origin = absl::FromCivil(absl::CivilSecond(first_day), absl::UTCTimeZone());
    const Reference ref{calendar};
    absl::CivilSecond high = absl::ToCivilSecond(origin - absl::Hours(48), zone);
    for (absl::Time t = origin - absl::Hours(48); t < origin; t += absl::Minutes(1))
      high = std::max(high, absl::ToCivilSecond(t, zone));
    std::vector<bool> open(kMinutes);
    std::vector<int> prefix(kMinutes + 1, 0);
    for (int k = 0; k < kMinutes; ++k) {
      high = std::max(high, absl::ToCivilSecond(origin + absl::Minutes(k), zone));
      open[k] = ref.OpenAt(high);
      prefix[k + 1] = prefix[k] + (open[k] ? 1 : 0);
    }
    auto at = [&](int k) { return origin + absl::Minutes(k); };

    for (int q = 0; q < 40; ++q) {
      const int s = std::uniform_int_distribution<int>(0, kMinutes / 2)(rng);
      const int e = std::uniform_int_distribution<int>(0, kMinutes)(rng);
      ASSERT_EQ(clock->IsOpen(at(s)), open[s]) << Text(at(s));
      ASSERT_EQ(Between(*clock, at(s), at(e)), absl::Minutes(std::max(0, prefix[e] - prefix[s])))
          << Text(at(s)) << " .. " << Text(at(e));
      // A duration the window can hold, sometimes exactly everything up to an interval's end.
      const int available = prefix[kMinutes] - prefix[s];
      if (available == 0) continue;
      const int d = std::uniform_int_distribution<int>(0, available)(rng);
      int k = s;
      while (prefix[k] - prefix[s] < d) ++k;
      ASSERT_EQ(Text(Add(*clock, at(s), absl::Minutes(d))), Text(at(k))) << "from " << Text(at(s)) << " + " << d << "m";
      int next = s;
      while (next < kMinutes && !open[next]) ++next;
      if (next < kMinutes) {
        ASSERT_EQ(Text(NextOpen(*clock, at(s))), Text(at(next))) << Text(at(s));
      }
    }
  }
}

// ---- SLA clocks ----------------------------------------------------------------------------

SlaState Sla(const BusinessClock& clock, const SlaTimeline& timeline, const SlaPolicy& policy, absl::Time now) {
  absl::StatusOr<SlaState> state = Evaluate(clock, timeline, policy, now);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : SlaState{};
}

std::string_view Name(SlaStatus s) { return json::EnumName(s); }

TEST(SlaTest, PauseOverANightAndResume) {
  BusinessClock clock = Clock(kWeekdays);
  const SlaPolicy eight_hours{.duration = absl::Hours(8)};
  // Opened Monday 14:00; waiting on the customer from 17:00 until Tuesday 10:00.
  SlaTimeline timeline{.start = Sh(2026, 3, 9, 14), .pauses = {{.from = Sh(2026, 3, 9, 17)}}};
  SlaState paused = Sla(clock, timeline, eight_hours, Sh(2026, 3, 10, 9, 30));
  EXPECT_EQ(Name(paused.status), "paused");
  EXPECT_EQ(paused.elapsed, absl::Hours(3));
  EXPECT_EQ(paused.remaining, absl::Hours(5));
  EXPECT_INSTANT(paused.due_at, Sh(2026, 3, 10, 14, 30));  // as if the customer answered now
  EXPECT_FALSE(paused.breached_at.has_value());

  timeline.pauses[0].until = Sh(2026, 3, 10, 10);
  SlaState resumed = Sla(clock, timeline, eight_hours, Sh(2026, 3, 10, 12));
  EXPECT_EQ(Name(resumed.status), "running");
  EXPECT_EQ(resumed.elapsed, absl::Hours(5));
  EXPECT_EQ(resumed.remaining, absl::Hours(3));
  EXPECT_INSTANT(resumed.due_at, Sh(2026, 3, 10, 15));  // without the pause: 13:00
  EXPECT_FALSE(resumed.stopped);
  // The deadline landing exactly where a pause begins is that instant.
  SlaTimeline edge{.start = Sh(2026, 3, 9, 9),
                   .pauses = {{.from = Sh(2026, 3, 9, 17), .until = Sh(2026, 3, 9, 17, 30)}}};
  EXPECT_INSTANT(Sla(clock, edge, eight_hours, Sh(2026, 3, 9, 17, 30)).due_at, Sh(2026, 3, 9, 17));
}

TEST(SlaTest, WarningAndBreachAtExactInstants) {
  BusinessClock clock = Clock(kWeekdays);
  const SlaPolicy policy{.duration = absl::Hours(8), .warn_before = absl::Hours(2)};
  const SlaTimeline timeline{.start = Sh(2026, 3, 9, 9)};
  SlaState before = Sla(clock, timeline, policy, Sh(2026, 3, 9, 14, 59, 59));
  EXPECT_EQ(Name(before.status), "running");
  EXPECT_INSTANT(*before.warning_at, Sh(2026, 3, 9, 15));
  EXPECT_INSTANT(before.due_at, Sh(2026, 3, 9, 17));
  EXPECT_EQ(Name(Sla(clock, timeline, policy, Sh(2026, 3, 9, 15)).status), "warning");
  SlaState at_due = Sla(clock, timeline, policy, Sh(2026, 3, 9, 17));
  EXPECT_EQ(Name(at_due.status), "warning");  // not yet breached at due_at itself
  EXPECT_EQ(at_due.remaining, absl::ZeroDuration());
  SlaState breached = Sla(clock, timeline, policy, Sh(2026, 3, 9, 17, 0, 1));
  EXPECT_EQ(Name(breached.status), "breached");
  EXPECT_INSTANT(*breached.breached_at, Sh(2026, 3, 9, 17));
  EXPECT_EQ(breached.overdue, absl::Seconds(1));
  SlaState next_day = Sla(clock, timeline, policy, Sh(2026, 3, 10, 10));
  EXPECT_EQ(Name(next_day.status), "breached");
  EXPECT_EQ(next_day.elapsed, absl::Hours(10));  // 9 on Monday, 1 on Tuesday
  EXPECT_EQ(next_day.overdue, absl::Hours(2));
  EXPECT_INSTANT(*next_day.breached_at, Sh(2026, 3, 9, 17));
  // A breach stays a breach while paused.
  SlaTimeline late_pause{.start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 9, 17, 30)}}};
  EXPECT_EQ(Name(Sla(clock, late_pause, policy, Sh(2026, 3, 10, 10)).status), "breached");
  // A pause while in warning reads as paused, and pushes both instants.
  SlaTimeline warn_pause{.start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 9, 16)}}};
  SlaState p = Sla(clock, warn_pause, policy, Sh(2026, 3, 10, 9));
  EXPECT_EQ(Name(p.status), "paused");
  EXPECT_INSTANT(*p.warning_at, Sh(2026, 3, 9, 15));
  EXPECT_INSTANT(p.due_at, Sh(2026, 3, 10, 10));
}

TEST(SlaTest, CompletingExactlyAtTheDeadlineIsOnTime) {
  BusinessClock clock = Clock(kWeekdays);
  const SlaPolicy nine_hours{.duration = absl::Hours(9)};
  SlaTimeline timeline{.start = Sh(2026, 3, 9, 9), .stopped_at = Sh(2026, 3, 9, 18)};
  SlaState met = Sla(clock, timeline, nine_hours, Sh(2026, 3, 12, 0));
  EXPECT_EQ(Name(met.status), "met");
  EXPECT_TRUE(met.stopped);
  EXPECT_INSTANT(met.due_at, Sh(2026, 3, 9, 18));  // closing time, not Tuesday 09:00
  EXPECT_EQ(met.elapsed, absl::Hours(9));
  EXPECT_FALSE(met.breached_at.has_value());
  // An hour after closing no business time has passed, but the due instant has.
  timeline.stopped_at = Sh(2026, 3, 9, 19);
  SlaState missed = Sla(clock, timeline, nine_hours, Sh(2026, 3, 12, 0));
  EXPECT_EQ(Name(missed.status), "missed");
  EXPECT_EQ(missed.elapsed, absl::Hours(9));
  EXPECT_EQ(missed.overdue, absl::ZeroDuration());
  EXPECT_INSTANT(*missed.breached_at, Sh(2026, 3, 9, 18));
  // Stopped early: met, the rest remains, due_at is where it would have been.
  timeline.stopped_at = Sh(2026, 3, 9, 11);
  SlaState early = Sla(clock, timeline, nine_hours, Sh(2026, 3, 9, 11));
  EXPECT_EQ(Name(early.status), "met");
  EXPECT_EQ(early.remaining, absl::Hours(7));
  EXPECT_INSTANT(early.due_at, Sh(2026, 3, 9, 18));
  // Stopped while waiting on the customer: the pause ends at the stop.
  SlaTimeline waiting{
      .start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 9, 10)}}, .stopped_at = Sh(2026, 3, 10, 10)};
  SlaState closed = Sla(clock, waiting, nine_hours, Sh(2026, 3, 11, 0));
  EXPECT_EQ(Name(closed.status), "met");
  EXPECT_EQ(closed.elapsed, absl::Hours(1));
  EXPECT_INSTANT(closed.due_at, Sh(2026, 3, 10, 18));  // the other 8 hours from Tuesday 10:00
}

TEST(SlaTest, AcrossNationalDayWithAPause) {
  BusinessClock clock = Clock(kChina);
  const SlaPolicy policy{.duration = absl::Hours(16), .warn_before = absl::Hours(4)};
  // Opened Tuesday 2026-09-29 10:00; waiting on the customer Wednesday 09:00-11:00.
  const SlaTimeline timeline{.start = Sh(2026, 9, 29, 10),
                             .pauses = {{.from = Sh(2026, 9, 30, 9), .until = Sh(2026, 9, 30, 11)}}};
  SlaState s = Sla(clock, timeline, policy, Sh(2026, 10, 8, 9));
  // Counted: Tuesday 10-12, 13-18 (7h); Wednesday 11-12, 13-18 (6h) = 13h; 3h left on Thursday the 8th.
  EXPECT_EQ(s.elapsed, absl::Hours(13));
  EXPECT_INSTANT(s.due_at, Sh(2026, 10, 8, 12));
  EXPECT_INSTANT(*s.warning_at, Sh(2026, 9, 30, 17));  // 12h counted at Wednesday 17:00
  EXPECT_EQ(Name(s.status), "warning");
}

// ---- Validation --------------------------------------------------------------------------

absl::Status CalendarError(std::string_view text) {
  absl::StatusOr<BusinessCalendar> c = json::FromText<BusinessCalendar>(text);
  return c.status();
}

TEST(CalendarValidationTest, RefusesWithPathRuleAndValue) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case cases[] = {
      {R"({"id":"c","hours":[]})",
       "hours: must give at least one working interval (else an SLA could never end), got []"},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"18:00","to":"09:00"}]})",
       "hours[0].to: must be after from (18:00), got \"09:00\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"09:00"}]})",
       "hours[0].to: must be after from (09:00), got \"09:00\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"9:00","to":"18:00"}]})",
       "hours[0].from: expected a time of day \"HH:MM\" (00:00 to 24:00), got \"9:00\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"24:30"}]})",
       "hours[0].to: expected a time of day \"HH:MM\" (00:00 to 24:00), got \"24:30\""},
      {R"({"id":"c","hours":[{"days":[],"from":"09:00","to":"18:00"}]})",
       "hours[0].days: must name at least one weekday, got []"},
      {R"({"id":"c","hours":[{"days":["mon","tue","mon"],"from":"09:00","to":"18:00"}]})",
       "hours[0].days[2]: repeats days[0], got \"mon\""},
      {R"({"id":"c","hours":[{"days":["mon","tue"],"from":"09:00","to":"12:00"},
                             {"days":["tue"],"from":"11:00","to":"13:00"}]})",
       "hours[1]: overlaps hours[0] on tue (09:00-12:00), got \"11:00-13:00\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"13:00","to":"18:00"},
                             {"days":["mon"],"from":"08:00","to":"19:00"}]})",
       "hours[1]: overlaps hours[0] on mon (13:00-18:00), got \"08:00-19:00\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"on":"2026-02-30"}]})",
       "holidays[0].on: expected valid date like \"2025-06-18\", got \"2026-02-30\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"on":"2026-10-01","from":"2026-10-01","to":"2026-10-07"}]})",
       "holidays[0].from: give either on (one day) or from and to (a range), not both, got \"2026-10-01\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],"holidays":[{"name":"?"}]})",
       "holidays[0].on: required field is missing (give on, or from and to)"},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],"holidays":[{"from":"2026-10-01"}]})",
       "holidays[0].to: required field is missing (a range gives from and to)"},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"from":"2026-10-07","to":"2026-10-01"}]})",
       "holidays[0].to: must not be before from (2026-10-07), got \"2026-10-01\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"from":"2026-10-01","to":"2026-10-07"},{"on":"2026-10-03"}]})",
       "holidays[1].on: overlaps holidays[0] (2026-10-01..2026-10-07), got \"2026-10-03\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"on":"2026-10-05"},{"from":"2026-10-01","to":"2026-10-07"}]})",
       "holidays[1]: overlaps holidays[0] (2026-10-05), got \"2026-10-01..2026-10-07\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"on":"2026-05-01"},{"on":"2026-05-01","name":"Labour Day"}]})",
       "holidays[1].on: overlaps holidays[0] (2026-05-01), got \"2026-05-01\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "holidays":[{"from":"2026-10-01","to":"2026-10-07"}],"working_days":[{"on":"2026-10-03","like":"mon"}]})",
       "working_days[0].on: is also a holiday (holidays[0]); a day is either a holiday or a make-up working day, got "
       "\"2026-10-03\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "working_days":[{"on":"2026-10-10","like":"mon"},{"on":"2026-10-10","like":"mon"}]})",
       "working_days[1].on: repeats working_days[0], got \"2026-10-10\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],
           "working_days":[{"on":"2026-10-10","like":"fri"}]})",
       "working_days[0].like: names a weekday without working hours (fri has none in hours), got \"fri\""},
      {R"({"id":"c","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}],"working_days":[{"on":"2026-10-10"}]})",
       "working_days[0].like: required field is missing"},
      {R"({"id":"c","time_zone":"Mars/Olympus","hours":[{"days":["mon"],"from":"09:00","to":"18:00"}]})",
       "time_zone: unknown IANA time zone, got \"Mars/Olympus\""},
  };
  for (const Case& c : cases) {
    absl::Status status = CalendarError(c.text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(Message(status), c.message) << c.text;
  }
}

TEST(CalendarValidationTest, ErrorsCarryTheirDetails) {
  absl::Status status = CalendarError(R"({"id":"c","hours":[{"days":["mon"],"from":"18:00","to":"09:00"}]})");
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "hours[0].to");
  EXPECT_EQ(details->rule, "must be after from (18:00)");
  EXPECT_EQ(details->value, "\"09:00\"");
  // The factory checks a calendar built in C++ the same way.
  BusinessCalendar calendar{.id = "c", .hours = {{.days = {Weekday::kMon}, .from = "10:00", .to = "09:00"}}};
  EXPECT_EQ(Message(BusinessClock::Create(calendar, kShanghai).status()),
            "hours[0].to: must be after from (10:00), got \"09:00\"");
}

TEST(CalendarValidationTest, RoundTripsItsWireForm) {
  BusinessCalendar c = Calendar(kChina);
  EXPECT_EQ(
      json::ToText(c),
      R"({"id":"cn","name":"China retail","time_zone":"Asia/Shanghai","hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"12:00"},{"days":["mon","tue","wed","thu","fri"],"from":"13:00","to":"18:00"}],"holidays":[{"from":"2026-10-01","to":"2026-10-07","name":"National Day"}],"working_days":[{"on":"2026-10-10","like":"fri","name":"National Day make-up"}]})");
  EXPECT_EQ(BusinessCalendar::kCollection, "calendars");
}

TEST(SlaValidationTest, RefusesBadTimelinesAndPolicies) {
  BusinessClock clock = Clock(kWeekdays);
  const SlaPolicy policy{.duration = absl::Hours(8)};
  const absl::Time now = Sh(2026, 3, 10, 12);
  struct Case {
    SlaTimeline timeline;
    std::string_view message;
  };
  const Case cases[] = {
      {{.start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 9, 8), .until = Sh(2026, 3, 9, 10)}}},
       "timeline.pauses[0].from: must not be before start (2026-03-09T01:00:00Z), got \"2026-03-09T00:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 9, 11), .until = Sh(2026, 3, 9, 10)}}},
       "timeline.pauses[0].until: must not be before from (2026-03-09T03:00:00Z), got \"2026-03-09T02:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9),
        .pauses = {{.from = Sh(2026, 3, 9, 10), .until = Sh(2026, 3, 9, 12)},
                   {.from = Sh(2026, 3, 9, 11), .until = Sh(2026, 3, 9, 13)}}},
       "timeline.pauses[1].from: must not be before pauses[0].until (2026-03-09T04:00:00Z), got "
       "\"2026-03-09T03:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9),
        .pauses = {{.from = Sh(2026, 3, 9, 10)}, {.from = Sh(2026, 3, 9, 11), .until = Sh(2026, 3, 9, 13)}}},
       "timeline.pauses[0].until: required field is missing (only the last pause may be open)"},
      {{.start = Sh(2026, 3, 9, 9), .stopped_at = Sh(2026, 3, 9, 8)},
       "timeline.stopped_at: must not be before start (2026-03-09T01:00:00Z), got \"2026-03-09T00:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9),
        .pauses = {{.from = Sh(2026, 3, 9, 10), .until = Sh(2026, 3, 9, 12)}},
        .stopped_at = Sh(2026, 3, 9, 11)},
       "timeline.pauses[0].until: must not be after stopped_at (2026-03-09T03:00:00Z), got \"2026-03-09T04:00:00Z\""},
      {{.start = Sh(2026, 3, 10, 13)},
       "timeline.start: must not be after now (2026-03-10T04:00:00Z), got \"2026-03-10T05:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9), .pauses = {{.from = Sh(2026, 3, 10, 11), .until = Sh(2026, 3, 10, 13)}}},
       "timeline.pauses[0].until: must not be after now (2026-03-10T04:00:00Z), got \"2026-03-10T05:00:00Z\""},
      {{.start = Sh(2026, 3, 9, 9), .stopped_at = Sh(2026, 3, 10, 13)},
       "timeline.stopped_at: must not be after now (2026-03-10T04:00:00Z), got \"2026-03-10T05:00:00Z\""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SlaState> state = Evaluate(clock, c.timeline, policy, now);
    EXPECT_EQ(state.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(Message(state.status()), c.message);
  }
  const SlaTimeline fine{.start = Sh(2026, 3, 9, 9)};
  EXPECT_EQ(Message(Evaluate(clock, fine, {.duration = absl::ZeroDuration()}, now).status()),
            "policy.duration: must be a positive, finite business duration, got \"0\"");
  EXPECT_EQ(Message(Evaluate(clock, fine, {.duration = absl::Hours(8), .warn_before = absl::Hours(8)}, now).status()),
            "policy.warn_before: must be positive and shorter than duration (8h), got \"8h\"");
  // Touching pauses and a pause that starts at start are fine.
  const SlaTimeline touching{.start = Sh(2026, 3, 9, 9),
                             .pauses = {{.from = Sh(2026, 3, 9, 9), .until = Sh(2026, 3, 9, 10)},
                                        {.from = Sh(2026, 3, 9, 10), .until = Sh(2026, 3, 9, 11)}}};
  EXPECT_EQ(Sla(clock, touching, policy, now).elapsed, absl::Hours(10));  // 7 on Monday, 3 on Tuesday
}

TEST(SlaValidationTest, TimelineReadsFromJson) {
  absl::StatusOr<SlaTimeline> t = json::FromText<SlaTimeline>(
      R"({"start":"2026-03-09T09:00:00+08:00","pauses":[{"from":"2026-03-09T10:00:00+08:00"},{"from":"2026-03-09T11:00:00+08:00"}]})",
      "timeline");
  EXPECT_EQ(Message(t.status()),
            "timeline.pauses[0].until: required field is missing (only the last pause may be open)");
}

}  // namespace
}  // namespace cadre

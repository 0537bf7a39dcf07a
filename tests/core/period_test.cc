#include "cadre/period.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

// A period the test knows to be valid.
Period P(std::string_view text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.ok() ? *p : Period::Of(Granularity::kDay, absl::CivilDay(1970, 1, 1));
}

absl::TimeZone Zone(std::string_view name) {
  absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(name);
  EXPECT_TRUE(tz.ok()) << name << ": " << tz.status();
  return tz.ok() ? *tz : absl::UTCTimeZone();
}

// An instant written in UTC, built without the code under test.
absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

// ---- Parse and ToString ------------------------------------------------------

struct ParseCase {
  std::string_view text;
  Granularity granularity;
  absl::CivilDay first, last;
};

TEST(PeriodParseTest, AllFormsRoundTrip) {
  const ParseCase cases[] = {
      {"2025-06-18", Granularity::kDay, absl::CivilDay(2025, 6, 18), absl::CivilDay(2025, 6, 18)},
      {"2025-W23", Granularity::kWeek, absl::CivilDay(2025, 6, 2), absl::CivilDay(2025, 6, 8)},
      {"2025-W01", Granularity::kWeek, absl::CivilDay(2024, 12, 30),
       absl::CivilDay(2025, 1, 5)},  // starts in the previous year
      {"2020-W53", Granularity::kWeek, absl::CivilDay(2020, 12, 28), absl::CivilDay(2021, 1, 3)},
      {"2026-W53", Granularity::kWeek, absl::CivilDay(2026, 12, 28), absl::CivilDay(2027, 1, 3)},
      {"2025-06", Granularity::kMonth, absl::CivilDay(2025, 6, 1), absl::CivilDay(2025, 6, 30)},
      {"2024-02", Granularity::kMonth, absl::CivilDay(2024, 2, 1), absl::CivilDay(2024, 2, 29)},
      {"2025-02", Granularity::kMonth, absl::CivilDay(2025, 2, 1), absl::CivilDay(2025, 2, 28)},
      {"2025-Q2", Granularity::kQuarter, absl::CivilDay(2025, 4, 1), absl::CivilDay(2025, 6, 30)},
      {"2025-Q4", Granularity::kQuarter, absl::CivilDay(2025, 10, 1), absl::CivilDay(2025, 12, 31)},
      {"2025", Granularity::kYear, absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)},
      {"1900", Granularity::kYear, absl::CivilDay(1900, 1, 1), absl::CivilDay(1900, 12, 31)},
      {"9999-12-31", Granularity::kDay, absl::CivilDay(9999, 12, 31), absl::CivilDay(9999, 12, 31)},
      {"2024-02-29", Granularity::kDay, absl::CivilDay(2024, 2, 29), absl::CivilDay(2024, 2, 29)},
  };
  for (const ParseCase& c : cases) {
    absl::StatusOr<Period> p = Period::Parse(c.text);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.status();
    EXPECT_EQ(p->granularity(), c.granularity) << c.text;
    EXPECT_EQ(p->first_day(), c.first) << c.text;
    EXPECT_EQ(p->last_day(), c.last) << c.text;
    EXPECT_EQ(p->ToString(), c.text);
  }
}

struct RefuseCase {
  std::string_view text;
  std::string_view rule_part;
};

TEST(PeriodParseTest, RefusesWithTheRuleBroken) {
  constexpr std::string_view kShape = "expected a period like";
  const RefuseCase cases[] = {
      {"", kShape},
      {"25", kShape},
      {"2025-6", kShape},
      {"2025-06-1", kShape},
      {"2025-w23", kShape},
      {"2025-q2", kShape},
      {"2025-W5", kShape},
      {"2025/06", kShape},
      {" 2025", kShape},
      {"2025 ", kShape},
      {"2025-06-18T00:00", kShape},
      {"20250618", kShape},
      {"+2025", kShape},
      {"2025-", kShape},
      {"2025-H1", kShape},
      {"1899", "year must be in 1900..9999"},
      {"0999-06", "year must be in 1900..9999"},
      {"1899-W52", "year must be in 1900..9999"},
      {"2025-13", "month must be in 01..12"},
      {"2025-00", "month must be in 01..12"},
      {"2025-13-01", "month must be in 01..12"},
      {"2025-Q0", "quarter must be in Q1..Q4"},
      {"2025-Q5", "quarter must be in Q1..Q4"},
      {"2025-02-29", "no such day in that month"},
      {"2024-02-30", "no such day in that month"},
      {"2025-04-31", "no such day in that month"},
      {"2025-06-00", "no such day in that month"},
      {"2025-W00", "week must be in W01..W52 (ISO year 2025 has 52 weeks)"},
      {"2025-W53", "week must be in W01..W52 (ISO year 2025 has 52 weeks)"},
      {"2021-W53", "week must be in W01..W52"},
      {"2026-W54", "week must be in W01..W53 (ISO year 2026 has 53 weeks)"},
  };
  for (const RefuseCase& c : cases) {
    absl::StatusOr<Period> p = Period::Parse(c.text);
    ASSERT_FALSE(p.ok()) << c.text << " parsed as " << p->ToString();
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.rule_part)) << c.text;
    std::optional<FieldErrorDetails> details = GetFieldErrorDetails(p.status());
    ASSERT_TRUE(details.has_value()) << c.text;
    EXPECT_EQ(details->value, "\"" + std::string(c.text) + "\"");
  }
  EXPECT_EQ(PrefixPath(Period::Parse("2025-13").status(), "period").message(),
            "period: month must be in 01..12, got \"2025-13\"");
}

TEST(PeriodParseTest, Week53ExistsOnlyInLongIsoYears) {
  // An ISO year has 53 weeks when it starts on a Thursday, or is a leap year
  // starting on a Wednesday.
  for (int year : {2004, 2009, 2015, 2020, 2026, 2032}) {
    EXPECT_TRUE(Period::Parse(std::to_string(year) + "-W53").ok()) << year;
  }
  for (int year : {2019, 2021, 2022, 2023, 2024, 2025, 2027}) {
    EXPECT_FALSE(Period::Parse(std::to_string(year) + "-W53").ok()) << year;
  }
}

// ---- Of / Containing ---------------------------------------------------------

TEST(PeriodTest, OfEveryGranularity) {
  const absl::CivilDay day(2025, 6, 18);  // a Wednesday
  EXPECT_EQ(Period::Of(Granularity::kDay, day).ToString(), "2025-06-18");
  EXPECT_EQ(Period::Of(Granularity::kWeek, day).first_day(), absl::CivilDay(2025, 6, 16));
  EXPECT_EQ(Period::Of(Granularity::kWeek, day).ToString(), "2025-W25");
  EXPECT_EQ(Period::Of(Granularity::kMonth, day).ToString(), "2025-06");
  EXPECT_EQ(Period::Of(Granularity::kQuarter, day).ToString(), "2025-Q2");
  EXPECT_EQ(Period::Of(Granularity::kYear, day).ToString(), "2025");
  EXPECT_EQ(Period::Of(Granularity::kQuarter, absl::CivilDay(2025, 12, 31)).first_day(), absl::CivilDay(2025, 10, 1));
  EXPECT_EQ(Period::Of(Granularity::kQuarter, absl::CivilDay(2025, 3, 31)).ToString(), "2025-Q1");
  EXPECT_EQ(Period::Of(Granularity::kQuarter, absl::CivilDay(2025, 7, 1)).ToString(), "2025-Q3");
}

TEST(PeriodTest, IsoWeekEdges) {
  struct Case {
    absl::CivilDay day;
    std::string_view week;
  };
  const Case cases[] = {
      {absl::CivilDay(2021, 1, 3), "2020-W53"},    // a Sunday in January belongs to the last week of 2020
      {absl::CivilDay(2021, 1, 4), "2021-W01"},    // the next Monday starts week 1
      {absl::CivilDay(2026, 12, 31), "2026-W53"},  // a Thursday: 2026 is a 53-week year
      {absl::CivilDay(2027, 1, 3), "2026-W53"},   {absl::CivilDay(2027, 1, 4), "2027-W01"},
      {absl::CivilDay(2024, 12, 30), "2025-W01"},  // a Monday in December belongs to the next ISO year
      {absl::CivilDay(2019, 12, 30), "2020-W01"}, {absl::CivilDay(2025, 12, 28), "2025-W52"},
      {absl::CivilDay(2025, 12, 29), "2026-W01"}, {absl::CivilDay(2016, 1, 1), "2015-W53"},
      {absl::CivilDay(2022, 1, 2), "2021-W52"},
  };
  for (const Case& c : cases) {
    const Period week = Period::Of(Granularity::kWeek, c.day);
    EXPECT_EQ(week.ToString(), c.week) << c.day;
    EXPECT_EQ(absl::GetWeekday(week.first_day()), absl::Weekday::monday);
    EXPECT_EQ(P(c.week), week) << c.week;
  }
}

TEST(PeriodTest, ContainingDependsOnTheZone) {
  const absl::Time t = Utc(2025, 6, 30, 16, 30);  // 00:30 on 1 July in Shanghai
  EXPECT_EQ(Period::Containing(Granularity::kMonth, t, absl::UTCTimeZone()).ToString(), "2025-06");
  EXPECT_EQ(Period::Containing(Granularity::kMonth, t, Zone("Asia/Shanghai")).ToString(), "2025-07");
  EXPECT_EQ(Period::Containing(Granularity::kQuarter, t, Zone("Asia/Shanghai")).ToString(), "2025-Q3");
  EXPECT_EQ(Period::Containing(Granularity::kDay, t, Zone("America/New_York")).ToString(), "2025-06-30");
  // 2021-01-04T03:00Z is still Sunday 3 January in New York.
  EXPECT_EQ(Period::Containing(Granularity::kWeek, Utc(2021, 1, 4, 3), Zone("America/New_York")).ToString(),
            "2020-W53");
  EXPECT_EQ(Period::Containing(Granularity::kWeek, Utc(2021, 1, 4, 3), absl::UTCTimeZone()).ToString(), "2021-W01");
}

TEST(PeriodTest, ContainsIsInclusiveOfBothEnds) {
  const Period june = P("2025-06");
  EXPECT_TRUE(june.Contains(absl::CivilDay(2025, 6, 1)));
  EXPECT_TRUE(june.Contains(absl::CivilDay(2025, 6, 30)));
  EXPECT_FALSE(june.Contains(absl::CivilDay(2025, 5, 31)));
  EXPECT_FALSE(june.Contains(absl::CivilDay(2025, 7, 1)));
  EXPECT_TRUE(P("2020-W53").Contains(absl::CivilDay(2021, 1, 3)));
}

// ---- Start / End -------------------------------------------------------------

TEST(PeriodTest, JuneInShanghaiStartsOnTheLastDayOfMayInUtc) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  const Period june = P("2025-06");
  EXPECT_EQ(june.Start(shanghai), Utc(2025, 5, 31, 16));
  EXPECT_EQ(june.End(shanghai), Utc(2025, 6, 30, 16));
  EXPECT_EQ(FormatInstant(june.Start(shanghai)), "2025-05-31T16:00:00Z");
  EXPECT_EQ(june.Start(absl::UTCTimeZone()), Utc(2025, 6, 1));
}

TEST(PeriodTest, DaysAcrossDstChangesInNewYork) {
  const absl::TimeZone ny = Zone("America/New_York");
  auto length = [&](std::string_view text) { return P(text).End(ny) - P(text).Start(ny); };
  EXPECT_EQ(length("2025-03-09"), absl::Hours(23));  // clocks spring forward
  EXPECT_EQ(length("2025-11-02"), absl::Hours(25));  // clocks fall back
  EXPECT_EQ(length("2025-06-18"), absl::Hours(24));
  EXPECT_EQ(length("2025-03"), absl::Hours(31 * 24 - 1));
  EXPECT_EQ(length("2025-11"), absl::Hours(30 * 24 + 1));
  EXPECT_EQ(length("2025"), absl::Hours(365 * 24));           // the hour lost in March comes back in November
  EXPECT_EQ(P("2025-03-09").Start(ny), Utc(2025, 3, 9, 5));   // EST, UTC-5
  EXPECT_EQ(P("2025-03-10").Start(ny), Utc(2025, 3, 10, 4));  // EDT, UTC-4
}

TEST(PeriodTest, ConsecutivePeriodsTile) {
  const absl::TimeZone ny = Zone("America/New_York");
  Period week = P("2025-W01");
  for (int i = 0; i < 60; ++i) {
    const Period next = week.Next();
    EXPECT_EQ(week.End(ny), next.Start(ny)) << week.ToString();
    EXPECT_EQ(week.last_day() + 1, next.first_day()) << week.ToString();
    week = next;
  }
}

// ---- Next / Previous / SamePeriodLastYear ------------------------------------

TEST(PeriodTest, NextAndPrevious) {
  struct Case {
    std::string_view period, next;
  };
  const Case cases[] = {
      {"2024-02-28", "2024-02-29"}, {"2024-12-31", "2025-01-01"},
      {"2025-W52", "2026-W01"},     {"2020-W53", "2021-W01"},
      {"2026-W52", "2026-W53"},     {"2025-12", "2026-01"},
      {"2025-01", "2025-02"},       {"2025-Q4", "2026-Q1"},
      {"2025-Q1", "2025-Q2"},       {"2025", "2026"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(P(c.period).Next(), P(c.next)) << c.period;
    EXPECT_EQ(P(c.next).Previous(), P(c.period)) << c.next;
  }
}

TEST(PeriodTest, SamePeriodLastYear) {
  struct Case {
    std::string_view period, last_year;
  };
  const Case cases[] = {
      {"2025-06-18", "2024-06-18"}, {"2024-02-29", "2023-02-28"},  // no 29 February in 2023
      {"2025-03-01", "2024-03-01"}, {"2021-W10", "2020-W10"},
      {"2021-W01", "2020-W01"},     {"2026-W53", "2025-W52"},  // 2025 has no week 53
      {"2021-W52", "2020-W52"},     {"2025-06", "2024-06"},
      {"2025-Q2", "2024-Q2"},       {"2025", "2024"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(P(c.period).SamePeriodLastYear(), P(c.last_year)) << c.period;
  }
  EXPECT_EQ(P("2020-W53").SamePeriodLastYear().ToString(), "2019-W52");
  EXPECT_EQ(P("2032-W53").SamePeriodLastYear().ToString(), "2031-W52");
  // Week 53 of 2015 in the previous year is week 52, whose days differ from a
  // plain "minus one year" shift of the dates.
  EXPECT_EQ(P("2016-W01").SamePeriodLastYear().first_day(), absl::CivilDay(2014, 12, 29));
}

TEST(PeriodTest, Ordering) {
  EXPECT_LT(P("2025-05"), P("2025-06"));
  EXPECT_LT(P("2025-06-01"), P("2025-06"));  // same first day: day sorts before month
  EXPECT_FALSE(P("2025-06") < P("2025-06"));
  EXPECT_FALSE(P("2025-06") == P("2025-06-01"));
  EXPECT_FALSE(P("2025-Q2") == P("2025-04"));
}

// ---- LoadTimeZone ------------------------------------------------------------

TEST(LoadTimeZoneTest, LoadsIanaZones) {
  for (std::string_view name : {"Asia/Shanghai", "America/New_York", "UTC", "Europe/London", "Asia/Hong_Kong",
                                "America/Argentina/Buenos_Aires", "Etc/GMT+8", "America/Port-au-Prince"}) {
    absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(name);
    ASSERT_TRUE(tz.ok()) << name << ": " << tz.status();
    EXPECT_EQ(tz->name(), name);
  }
}

TEST(LoadTimeZoneTest, UnknownZoneNamesPathAndValue) {
  absl::Status status = LoadTimeZone("Mars/Base").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "time_zone: unknown IANA time zone, got \"Mars/Base\"");
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "time_zone");
  EXPECT_EQ(details->rule, "unknown IANA time zone");
  EXPECT_EQ(details->value, "\"Mars/Base\"");
  EXPECT_EQ(LoadTimeZone("Asia/Shangai", "workspaces[0].time_zone").status().message(),
            "workspaces[0].time_zone: unknown IANA time zone, got \"Asia/Shangai\"");
}

TEST(LoadTimeZoneTest, RefusesNamesThatAreNotIanaNames) {
  // abseil would read files for some of these (an absolute path, a "file:"
  // prefix, "localtime" = the host's zone); none is an IANA name.
  for (std::string_view name : {"", "localtime", "/etc/localtime", "/usr/share/zoneinfo/UTC", "../zoneinfo/UTC",
                                "Asia/../Asia/Shanghai", "Asia//Shanghai", "Asia/Shanghai/", "file:Asia/Shanghai",
                                "Fixed/UTC+08:00", "Asia/Shanghai ", "asia shanghai"}) {
    absl::StatusOr<absl::TimeZone> tz = LoadTimeZone(name);
    ASSERT_FALSE(tz.ok()) << name;
    EXPECT_EQ(tz.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(std::string(tz.status().message()), HasSubstr("time_zone: unknown IANA time zone")) << name;
  }
}

// ---- ParseInstant / FormatInstant --------------------------------------------

TEST(InstantTest, ParsesRfc3339WithOffset) {
  struct Case {
    std::string_view text;
    absl::Time expected;
  };
  const Case cases[] = {
      {"2025-06-18T10:00:00+08:00", Utc(2025, 6, 18, 2)},
      {"2025-06-18T02:00:00Z", Utc(2025, 6, 18, 2)},
      {"2025-06-18t02:00:00z", Utc(2025, 6, 18, 2)},
      {"2025-06-17T22:00:00-04:00", Utc(2025, 6, 18, 2)},
      {"2025-06-18T02:00:00+00:00", Utc(2025, 6, 18, 2)},
      {"2025-06-18T02:00:00.5Z", Utc(2025, 6, 18, 2) + absl::Milliseconds(500)},
      {"2025-06-18T02:00:00.000000001Z", Utc(2025, 6, 18, 2) + absl::Nanoseconds(1)},
      {"2025-06-18T07:45:00+05:45", Utc(2025, 6, 18, 2)},  // Nepal
      {"2024-02-29T23:59:59Z", Utc(2024, 2, 29, 23, 59, 59)},
  };
  for (const Case& c : cases) {
    absl::StatusOr<absl::Time> t = ParseInstant(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status();
    EXPECT_EQ(*t, c.expected) << c.text;
  }
}

TEST(InstantTest, RefusesTimesWithoutOffset) {
  absl::Status status = ParseInstant("2025-06-18T10:00:00").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "time has no UTC offset: add \"Z\" or one like \"+08:00\", got \"2025-06-18T10:00:00\"");
  EXPECT_THAT(std::string(ParseInstant("2025-06-18T10:00:00.25").status().message()), HasSubstr("no UTC offset"));
}

TEST(InstantTest, RefusesEverythingElse) {
  for (std::string_view text :
       {"", "2025-06-18", "2025-06-18 10:00:00Z", " 2025-06-18T10:00:00Z", "2025-06-18T10:00:00Z ", "infinite-future",
        "infinite-past", "2025-06-18T10:00Z", "2025-06-18T10:00:00+0800", "2025-06-18T10:00:00+08",
        "2025-06-18T10:00:00.Z", "2025-06-18T10:00:00UTC", "25-06-18T10:00:00Z", "+2025-06-18T10:00:00Z",
        "2025-6-18T10:00:00Z", "1750212000"}) {
    absl::StatusOr<absl::Time> t = ParseInstant(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("RFC 3339")) << text;
  }
}

TEST(InstantTest, RefusesImpossibleDatesAndTimes) {
  for (std::string_view text :
       {"2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-06-18T24:00:00Z",
        "2025-06-18T10:60:00Z", "2025-06-18T10:00:00+24:00", "2025-06-18T10:00:00+08:60"}) {
    absl::StatusOr<absl::Time> t = ParseInstant(text);
    ASSERT_FALSE(t.ok()) << text << " parsed as " << FormatInstant(*t);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("not a valid date and time")) << text;
  }
}

TEST(InstantTest, FormatsUtcWithFractionOnlyWhenNeeded) {
  EXPECT_EQ(FormatInstant(Utc(2025, 6, 18, 2)), "2025-06-18T02:00:00Z");
  EXPECT_EQ(FormatInstant(Utc(2025, 6, 18, 2) + absl::Milliseconds(500)), "2025-06-18T02:00:00.5Z");
  EXPECT_EQ(FormatInstant(Utc(2025, 6, 18, 2) + absl::Nanoseconds(1)), "2025-06-18T02:00:00.000000001Z");
  EXPECT_EQ(FormatInstant(absl::UnixEpoch()), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatInstant(Utc(1969, 12, 31, 23, 59, 59) + absl::Milliseconds(250)), "1969-12-31T23:59:59.25Z");
}

TEST(InstantTest, RoundTrips) {
  for (std::string_view text : {"2025-06-18T02:00:00Z", "2025-06-18T02:00:00.5Z", "2000-02-29T12:34:56.789Z"}) {
    absl::StatusOr<absl::Time> t = ParseInstant(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(FormatInstant(*t), text);
  }
  EXPECT_EQ(FormatInstant(*ParseInstant("2025-06-18T10:00:00+08:00")), "2025-06-18T02:00:00Z");
}

// ---- ParseDay / FormatDay ----------------------------------------------------

TEST(DayTest, ParsesAndFormats) {
  EXPECT_EQ(*ParseDay("2025-06-18"), absl::CivilDay(2025, 6, 18));
  EXPECT_EQ(*ParseDay("2024-02-29"), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(*ParseDay("2000-02-29"), absl::CivilDay(2000, 2, 29));
  EXPECT_EQ(FormatDay(absl::CivilDay(2025, 6, 18)), "2025-06-18");
  EXPECT_EQ(FormatDay(absl::CivilDay(999, 1, 2)), "0999-01-02");
  EXPECT_EQ(*ParseDay("0999-01-02"), absl::CivilDay(999, 1, 2));
}

TEST(DayTest, RefusesMalformedAndImpossibleDays) {
  const RefuseCase cases[] = {
      {"", "expected a date like \"2025-06-18\""},
      {"2025-6-18", "expected a date like"},
      {"2025-06-18 ", "expected a date like"},
      {"20250618", "expected a date like"},
      {"2025/06/18", "expected a date like"},
      {"2025-06-18T00:00:00Z", "expected a date like"},
      {"-025-06-18", "expected a date like"},
      {"2025-02-30", "no such day in that month"},
      {"2023-02-29", "no such day in that month"},
      {"1900-02-29", "no such day in that month"},  // century, not a leap year
      {"2025-06-31", "no such day in that month"},
      {"2025-06-00", "no such day in that month"},
      {"2025-13-01", "month must be in 01..12"},
      {"2025-00-10", "month must be in 01..12"},
  };
  for (const RefuseCase& c : cases) {
    absl::StatusOr<absl::CivilDay> d = ParseDay(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr(c.rule_part)) << c.text;
  }
  EXPECT_EQ(ParseDay("2025-02-30").status().message(), "no such day in that month, got \"2025-02-30\"");
}

}  // namespace
}  // namespace cadre

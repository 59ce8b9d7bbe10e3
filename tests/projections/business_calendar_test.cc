// A7: business days in Europe/Zurich minus Geneva's holidays, and the counting rule.
#include <catch2/catch.hpp>

#include <set>
#include <tuple>

#include <date/date.h>

#include "orgledger/api/time_format.h"
#include "instant_text.h"
#include "orgledger/projections/business_calendar.h"

using orgledger::projections::BusinessCalendar;
using orgledger::projections::LocalDate;
using orgledger::testing::at;

namespace {

std::string plus_business_days(const char* from, int days, const BusinessCalendar& calendar = BusinessCalendar::geneva()) {
  return orgledger::api::format_instant(calendar.add_business_days(at(from), days));
}

LocalDate date_from(int year, unsigned month, unsigned day) { return {year, month, day}; }

// `date` moved by `days` (within ±60 days of a spring date: enough for Easter's offsets).
LocalDate shift(LocalDate date, int days) {
  static constexpr unsigned kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (; days > 0; --days) {
    if (++date.day > kDaysIn[date.month - 1]) date = {date.year, date.month + 1, 1};
  }
  for (; days < 0; ++days) {
    if (--date.day == 0) date = {date.year, date.month - 1, kDaysIn[date.month - 2]};
  }
  return date;
}

bool has_holiday(int year, LocalDate date) {
  for (const auto& holiday : BusinessCalendar::geneva().holidays(year)) {
    if (holiday.date == date) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("A7: the examples of DOMAIN.md exactly") {
  // Received Fri 2026-11-20 17:00 (Zurich, CET = UTC+1) → 5 business days: Fri 2026-11-27 17:00.
  CHECK(plus_business_days("2026-11-20T16:00:00Z", 5) == "2026-11-27T16:00:00.000000Z");
  // Received Sat 2026-11-21 10:00 → start Mon 00:00 → due Mon 2026-11-30 00:00.
  CHECK(plus_business_days("2026-11-21T09:00:00Z", 5) == "2026-11-29T23:00:00.000000Z");
}

TEST_CASE("A7: counting starts at the instant on a business day, at 00:00 of the next one otherwise") {
  CHECK(plus_business_days("2026-11-23T08:30:00.123456Z", 1) == "2026-11-24T08:30:00.123456Z");
  // Sun 23:30 UTC is Mon 00:30 in Zurich: a business day by its local date, so the time is kept.
  CHECK(plus_business_days("2026-11-22T23:30:00Z", 1) == "2026-11-23T23:30:00.000000Z");
  CHECK(plus_business_days("2026-11-22T12:00:00Z", 0) == "2026-11-22T23:00:00.000000Z");  // Sunday: start Mon 00:00
  CHECK(plus_business_days("2026-11-23T12:00:00Z", 0) == "2026-11-23T12:00:00.000000Z");
  // On a holiday (Fri 25 December) the start is Mon 28 December 00:00.
  CHECK(plus_business_days("2026-12-25T14:00:00Z", 1) == "2026-12-28T23:00:00.000000Z");
}

TEST_CASE("A7: Easter-derived holidays 2024-2035 fall on the known dates") {
  struct Year {
    int year;
    unsigned easter_month, easter_day;
  };
  // Western Easter Sundays, from the published tables.
  const Year years[] = {{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2027, 3, 28}, {2028, 4, 16}, {2029, 4, 1},
                        {2030, 4, 21}, {2031, 4, 13}, {2032, 3, 28}, {2033, 4, 17}, {2034, 4, 9},  {2035, 3, 25}};
  for (const auto& y : years) {
    INFO(y.year);
    const auto easter = date_from(y.year, y.easter_month, y.easter_day);
    CHECK(has_holiday(y.year, shift(easter, -2)));   // Good Friday
    CHECK(has_holiday(y.year, shift(easter, +1)));   // Easter Monday
    CHECK(has_holiday(y.year, shift(easter, +39)));  // Ascension
    CHECK(has_holiday(y.year, shift(easter, +50)));  // Whit Monday
    CHECK_FALSE(has_holiday(y.year, easter));        // a Sunday, not listed
    CHECK(BusinessCalendar::geneva().holidays(y.year).size() == 9);
  }
}

TEST_CASE("A7: Jeune genevois is the Thursday after the first Sunday of September") {
  CHECK(has_holiday(2024, {2024, 9, 5}));   // first Sunday: 1 September
  CHECK(has_holiday(2025, {2025, 9, 11}));  // 7 September
  CHECK(has_holiday(2026, {2026, 9, 10}));  // 6 September
  CHECK(has_holiday(2027, {2027, 9, 9}));   // 5 September
  CHECK(has_holiday(2030, {2030, 9, 5}));   // 1 September
  CHECK_FALSE(BusinessCalendar::geneva().is_business_day({2026, 9, 10}));
  CHECK(BusinessCalendar::geneva().is_business_day({2026, 9, 3}));
}

TEST_CASE("A7: fixed holidays and weekends are not business days") {
  const auto& geneva = BusinessCalendar::geneva();
  for (LocalDate date : {LocalDate{2026, 1, 1}, {2026, 8, 1}, {2026, 12, 25}, {2026, 12, 31}, {2026, 11, 21}, {2026, 11, 22}}) {
    INFO(date.year << "-" << date.month << "-" << date.day);
    CHECK_FALSE(geneva.is_business_day(date));
  }
  CHECK(geneva.is_business_day({2026, 11, 23}));
  CHECK(geneva.is_business_day({2026, 12, 24}));
}

TEST_CASE("A7: weeks with a DST switch keep the local time of day") {
  // Fri 2026-03-27 10:00 CET; clocks go forward Sun 29 March; Good Friday 3 April and Easter
  // Monday 6 April are holidays: the 5th business day is Tue 7 April, 10:00 CEST (= 08:00Z).
  CHECK(plus_business_days("2026-03-27T09:00:00Z", 5) == "2026-04-07T08:00:00.000000Z");
  // Fri 2026-10-23 10:00 CEST; clocks go back Sun 25 October: Mon 10:00 CET (= 09:00Z).
  CHECK(plus_business_days("2026-10-23T08:00:00Z", 1) == "2026-10-26T09:00:00.000000Z");
}

TEST_CASE("A7: 30 and 60 business days across the year end") {
  // Mon 2026-12-14 09:00 CET. Holidays on the way: 25 and 31 December, 1 January.
  CHECK(plus_business_days("2026-12-14T08:00:00Z", 30) == "2027-01-28T08:00:00.000000Z");
  CHECK(plus_business_days("2026-12-14T08:00:00Z", 60) == "2027-03-11T08:00:00.000000Z");
}

TEST_CASE("A7: a calendar file replaces the default calendar") {
  auto custom = BusinessCalendar::parse(R"(
    # a canton with one extra holiday and no Easter
    zone Europe/Zurich
    fixed 11-24 Test day
    date 2026-11-25 One-off closure
    nth-weekday 11 4 thu +1 Day after the fourth Thursday
  )");
  REQUIRE(custom.has_value());
  CHECK_FALSE(custom->is_business_day({2026, 11, 24}));
  CHECK_FALSE(custom->is_business_day({2026, 11, 25}));
  CHECK(custom->is_business_day({2027, 11, 25}));   // the one-off is one year only
  CHECK_FALSE(custom->is_business_day({2026, 11, 27}));  // fourth Thursday 26 November + 1
  CHECK(custom->is_business_day({2026, 4, 3}));     // no Good Friday in this calendar
  CHECK(custom->is_business_day({2026, 12, 25}));
  CHECK(plus_business_days("2026-11-23T16:00:00Z", 1, *custom) == "2026-11-26T16:00:00.000000Z");
}

TEST_CASE("A7: a malformed calendar file is refused with its line") {
  for (const char* bad : {"fixed 13-01 Nope", "fixed 02-30 Nope", "easter x Nope", "fixed 01-01",
                          "nth-weekday 09 1 sunday +4 Nope", "nth-weekday 09 6 sun +4 Nope",
                          "date 2026-02-29 Nope", "zone Mars/Olympus", "weekly fri Nope"}) {
    INFO(bad);
    auto parsed = BusinessCalendar::parse(std::string("# first line\n") + bad);
    REQUIRE_FALSE(parsed.has_value());
    if (std::string_view(bad).starts_with("zone")) {
      CHECK(parsed.error().find("time zone") != std::string::npos);
    } else {
      CHECK(parsed.error().find("line 2") != std::string::npos);
    }
  }
  CHECK_FALSE(BusinessCalendar::load("/nonexistent/calendar").has_value());
}

TEST_CASE("A7: the holidays a calendar looks up are exactly those its rules give, for every day of 1990-2100") {
  // is_holiday answers from dates computed once (an SLA counts up to 60 business days per report);
  // holidays(year) computes them from the rules each time. Geneva's offsets never cross a year end.
  const auto& calendar = BusinessCalendar::geneva();
  std::size_t found = 0;
  for (int year = 1990; year <= 2100; ++year) {
    std::set<std::tuple<int, unsigned, unsigned>> expected;
    for (const auto& holiday : calendar.holidays(year)) expected.emplace(holiday.date.year, holiday.date.month, holiday.date.day);
    for (unsigned month = 1; month <= 12; ++month) {
      for (unsigned day = 1; day <= 31; ++day) {
        const LocalDate date{year, month, day};
        if (!(date::year{year} / date::month{month} / date::day{day}).ok()) continue;
        const bool holiday = calendar.is_holiday(date);
        if (holiday != expected.contains({year, month, day})) FAIL(year << "-" << month << "-" << day);
        found += holiday;
      }
    }
  }
  CHECK(found > 111 * 8);  // Geneva has at least 8 a year
}

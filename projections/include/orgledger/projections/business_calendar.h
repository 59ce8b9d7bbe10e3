// Business days (A7): Monday to Friday in the calendar's time zone (Europe/Zurich by default),
// minus the public holidays of the configured calendar (Geneva's by default), and the A7 rule for
// counting N business days from an instant.
//
// A calendar file replaces the default. Grammar (one rule a line; '#' starts a comment):
//   line    := blank | comment | zone | holiday
//   zone    := "zone" IANA-NAME                              default Europe/Zurich
//   holiday := "fixed" MM-DD NAME                            the same day every year
//            | "easter" ±DAYS NAME                           Western Easter Sunday + DAYS
//            | "nth-weekday" MM N WEEKDAY ±DAYS NAME         the N-th WEEKDAY (mon … sun) of
//                                                            month MM, moved by DAYS
//            | "date" YYYY-MM-DD NAME                        one year only
// The default Geneva calendar, written in that grammar, is kGenevaCalendar below.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/types.h"

namespace date {
class time_zone;
}

namespace orgledger::projections {

inline constexpr std::string_view kGenevaCalendar = R"(# A7: the default calendar, Geneva
zone Europe/Zurich
fixed 01-01 New Year's Day
easter -2 Good Friday
easter +1 Easter Monday
easter +39 Ascension
easter +50 Whit Monday
fixed 08-01 Swiss National Day
nth-weekday 09 1 sun +4 Jeune genevois
fixed 12-25 Christmas
fixed 12-31 Restoration of the Republic
)";

// A local calendar date.
struct LocalDate {
  int year;
  unsigned month;
  unsigned day;
  friend bool operator==(const LocalDate&, const LocalDate&) = default;
};

struct Holiday {
  LocalDate date;
  std::string name;
};

class BusinessCalendar {
 public:
  // Geneva's calendar in Europe/Zurich (kGenevaCalendar).
  static const BusinessCalendar& geneva();
  // Parses a calendar file's text (grammar above). The error names the line and what is wrong.
  static std::expected<BusinessCalendar, std::string> parse(std::string_view text);
  // Reads and parses a calendar file.
  static std::expected<BusinessCalendar, std::string> load(const std::string& path);

  // The holidays of `year`, in date order.
  std::vector<Holiday> holidays(int year) const;
  bool is_holiday(const LocalDate& date) const;
  // Monday to Friday and not a holiday.
  bool is_business_day(const LocalDate& date) const;

  // A7: if the local date of `from` is a business day, start = `from`; otherwise start = 00:00
  // local time of the next business day. The deadline is the start's local time of day on the
  // `days`-th business day after the start's date. A local time that does not exist on that day
  // (the spring DST gap) becomes the instant the clocks jump; one that exists twice (autumn) is
  // the earlier of the two, so a deadline is never later than the rule says.
  ledger::Micros add_business_days(ledger::Micros from, int days) const;

  // The local date of an instant in the calendar's time zone.
  LocalDate local_date(ledger::Micros instant) const;

  // One holiday line of a calendar file.
  struct Rule {
    enum class Kind { fixed, easter, nth_weekday, date } kind;
    int year = 0;         // date
    unsigned month = 0;   // fixed, nth_weekday, date
    unsigned day = 0;     // fixed, date
    unsigned nth = 0;     // nth_weekday: 1 = the first
    unsigned weekday = 0; // nth_weekday: 0 = Sunday … 6 = Saturday
    int offset_days = 0;  // easter, nth_weekday
    std::string name;
  };

 private:
  BusinessCalendar() = default;
  // Whether a rule makes `date` a holiday, from the rules themselves (the cache's source).
  bool rules_make_holiday(const LocalDate& date) const;
  const date::time_zone* zone_ = nullptr;
  std::vector<Rule> rules_;
  // Every holiday of kFirstCachedYear..kLastCachedYear as days since 1970-01-01, sorted: an SLA
  // counts up to 60 business days for each report, and the rules cost ~30 date computations a day.
  static constexpr int kFirstCachedYear = 1970, kLastCachedYear = 2200;
  std::vector<std::int32_t> cached_holidays_;
};

}  // namespace orgledger::projections

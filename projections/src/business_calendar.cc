#include "orgledger/projections/business_calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace orgledger::projections {
namespace {

using date::days;
using date::sys_days;

date::year_month_day to_ymd(const LocalDate& date) {
  return date::year{date.year} / date::month{date.month} / date::day{date.day};
}

LocalDate to_local(const date::year_month_day& ymd) {
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

// Western (Gregorian) Easter Sunday: the anonymous algorithm of Meeus, Jones and Butcher.
date::year_month_day easter_sunday(int year) {
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return date::year{year} / date::month{static_cast<unsigned>(month)} / date::day{static_cast<unsigned>(day)};
}

std::optional<date::year_month_day> rule_date(const BusinessCalendar::Rule& rule, int year) {
  using Kind = BusinessCalendar::Rule::Kind;
  switch (rule.kind) {
    case Kind::fixed: {
      const auto ymd = date::year{year} / date::month{rule.month} / date::day{rule.day};
      return ymd.ok() ? std::optional(ymd) : std::nullopt;  // 02-29 exists in leap years only
    }
    case Kind::easter:
      return date::year_month_day{sys_days{easter_sunday(year)} + days{rule.offset_days}};
    case Kind::nth_weekday: {
      const auto nth = date::year{year} / date::month{rule.month} / date::weekday{rule.weekday}[rule.nth];
      if (!nth.ok()) return std::nullopt;
      return date::year_month_day{sys_days{nth} + days{rule.offset_days}};
    }
    case Kind::date:
      if (rule.year != year) return std::nullopt;
      return date::year{rule.year} / date::month{rule.month} / date::day{rule.day};
  }
  return std::nullopt;
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

std::optional<unsigned> parse_weekday(std::string_view text) {
  static constexpr std::string_view kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (unsigned i = 0; i < 7; ++i) {
    if (text == kNames[i]) return i;
  }
  return std::nullopt;
}

// Splits "MM-DD" or "YYYY-MM-DD".
bool parse_month_day(std::string_view text, unsigned& month, unsigned& day) {
  return text.size() == 5 && text[2] == '-' && parse_number(text.substr(0, 2), month) &&
         parse_number(text.substr(3, 2), day) && date::month{month}.ok() && day >= 1 &&
         (date::month{month} / date::day{day}).ok();
}

std::string rest_of_line(std::istringstream& words) {
  std::string name;
  std::getline(words >> std::ws, name);
  return name;
}

}  // namespace

const BusinessCalendar& BusinessCalendar::geneva() {
  static const BusinessCalendar calendar = *parse(kGenevaCalendar);
  return calendar;
}

std::expected<BusinessCalendar, std::string> BusinessCalendar::parse(std::string_view text) {
  BusinessCalendar calendar;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::string zone_name = "Europe/Zurich";
  for (int number = 1; std::getline(lines, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword)) continue;
    auto error = [&](const std::string& what) {
      return std::unexpected("calendar line " + std::to_string(number) + ": " + what);
    };
    Rule rule{};
    std::string a, b, c, d;
    if (keyword == "zone") {
      if (!(words >> zone_name)) return error("zone needs an IANA time zone name");
      continue;
    } else if (keyword == "fixed") {
      rule.kind = Rule::Kind::fixed;
      if (!(words >> a) || !parse_month_day(a, rule.month, rule.day)) return error("fixed needs MM-DD");
    } else if (keyword == "easter") {
      rule.kind = Rule::Kind::easter;
      if (!(words >> a) || !parse_number(a, rule.offset_days)) return error("easter needs ±DAYS");
    } else if (keyword == "nth-weekday") {
      rule.kind = Rule::Kind::nth_weekday;
      auto weekday = (words >> a >> b >> c >> d) ? parse_weekday(c) : std::nullopt;
      if (!weekday || !parse_number(a, rule.month) || !date::month{rule.month}.ok() || !parse_number(b, rule.nth) ||
          rule.nth < 1 || rule.nth > 5 || !parse_number(d, rule.offset_days)) {
        return error("nth-weekday needs MM N WEEKDAY ±DAYS (WEEKDAY: mon … sun)");
      }
      rule.weekday = *weekday;
    } else if (keyword == "date") {
      rule.kind = Rule::Kind::date;
      if (!(words >> a) || a.size() != 10 || a[4] != '-' || !parse_number(std::string_view(a).substr(0, 4), rule.year) ||
          !parse_month_day(std::string_view(a).substr(5), rule.month, rule.day) ||
          !(date::year{rule.year} / date::month{rule.month} / date::day{rule.day}).ok()) {
        return error("date needs YYYY-MM-DD");
      }
    } else {
      return error("unknown rule '" + keyword + "' (zone, fixed, easter, nth-weekday, date)");
    }
    rule.name = rest_of_line(words);
    if (rule.name.empty()) return error("a holiday needs a name");
    calendar.rules_.push_back(std::move(rule));
  }
  try {
    calendar.zone_ = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    return std::unexpected("calendar: unknown time zone '" + zone_name + "'");
  }
  // Every date a rule gives, from the years around the cached ones too (an offset may cross the
  // year end, as rules_make_holiday allows).
  for (int year = kFirstCachedYear - 1; year <= kLastCachedYear + 1; ++year) {
    for (const auto& rule : calendar.rules_) {
      if (auto when = rule_date(rule, year)) {
        calendar.cached_holidays_.push_back(static_cast<std::int32_t>(sys_days{*when}.time_since_epoch().count()));
      }
    }
  }
  std::ranges::sort(calendar.cached_holidays_);
  return calendar;
}

std::expected<BusinessCalendar, std::string> BusinessCalendar::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected("cannot read the calendar file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

std::vector<Holiday> BusinessCalendar::holidays(int year) const {
  std::vector<Holiday> out;
  for (const auto& rule : rules_) {
    if (auto when = rule_date(rule, year); when && static_cast<int>(when->year()) == year) {
      out.push_back({to_local(*when), rule.name});
    }
  }
  std::ranges::sort(out, [](const Holiday& x, const Holiday& y) { return to_ymd(x.date) < to_ymd(y.date); });
  return out;
}

bool BusinessCalendar::is_holiday(const LocalDate& date) const {
  // The cache holds what every rule gives in and around its years; dates at or beyond its ends ask
  // the rules.
  if (date.year > kFirstCachedYear && date.year < kLastCachedYear) {
    const auto day = static_cast<std::int32_t>(sys_days{to_ymd(date)}.time_since_epoch().count());
    return std::ranges::binary_search(cached_holidays_, day);
  }
  return rules_make_holiday(date);
}

bool BusinessCalendar::rules_make_holiday(const LocalDate& date) const {
  const auto wanted = to_ymd(date);
  // Offsets may move a holiday across the year end: look at the neighbouring years' rules too.
  for (int year = date.year - 1; year <= date.year + 1; ++year) {
    for (const auto& rule : rules_) {
      if (rule_date(rule, year) == wanted) return true;
    }
  }
  return false;
}

bool BusinessCalendar::is_business_day(const LocalDate& date) const {
  const date::weekday weekday{sys_days{to_ymd(date)}};
  if (weekday == date::Saturday || weekday == date::Sunday) return false;
  return !is_holiday(date);
}

LocalDate BusinessCalendar::local_date(ledger::Micros instant) const {
  const auto local = zone_->to_local(date::sys_time<std::chrono::microseconds>{std::chrono::microseconds{instant}});
  return to_local(date::year_month_day{date::floor<days>(local)});
}

ledger::Micros BusinessCalendar::add_business_days(ledger::Micros from, int business_days) const {
  using std::chrono::microseconds;
  const auto local = zone_->to_local(date::sys_time<microseconds>{microseconds{from}});
  auto day = date::floor<days>(local);
  auto time_of_day = local - day;
  auto is_business = [this](date::local_days d) { return is_business_day(to_local(date::year_month_day{d})); };
  if (!is_business(day)) {
    do day += days{1};
    while (!is_business(day));
    time_of_day = microseconds{0};
  }
  for (int counted = 0; counted < business_days;) {
    day += days{1};
    if (is_business(day)) ++counted;
  }
  const auto deadline = zone_->to_sys(day + time_of_day, date::choose::earliest);
  return deadline.time_since_epoch().count();
}

}  // namespace orgledger::projections

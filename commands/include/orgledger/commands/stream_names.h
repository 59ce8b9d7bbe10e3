// The names of the streams that commands append to, in one place: queries that read one stream,
// or a family of them (every abuse report), name them too.
#pragma once

#include <string>
#include <string_view>

namespace orgledger::commands {

// A1–A7: one stream per abuse report; the family of them all.
inline constexpr std::string_view kAbuseReportStreams = "abuse:";
// K1–K5: one stream per identity case, one per order.
inline constexpr std::string_view kIdentityCaseStreams = "kcheck:";
inline constexpr std::string_view kOrderStreams = "order:";

inline std::string abuse_report_stream(std::string_view report) { return std::string(kAbuseReportStreams).append(report); }
inline std::string identity_case_stream(std::string_view id) { return std::string(kIdentityCaseStreams).append(id); }
inline std::string order_stream(std::string_view id) { return std::string(kOrderStreams).append(id); }

}  // namespace orgledger::commands

// The browser console's files (console/*.html, *.css, *.js, *.svg), embedded in the binary at
// build time (console/embed_files.cmake), so `orgledger serve` needs nothing installed beside it.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace orgledger::console {

struct StaticFile {
  std::string_view path;          // relative to console/, '/'-separated: "index.html", "views/org.js"
  std::string_view content_type;  // from the extension, chosen at build time: "text/javascript; charset=utf-8"
  std::string_view etag;          // a strong validator, quoted: "\"<16 hex digits of the bytes' SHA-256>\""
  std::string_view bytes;         // the file as it is in the source tree
};

// The embedded file at exactly `path` (no leading '/', no "." or ".." resolution), or nullopt.
// Every view refers to static storage: valid for the program's life. Thread-safe.
std::optional<StaticFile> console_file(std::string_view path);

// Every embedded file, sorted by path.
std::span<const StaticFile> console_files();

}  // namespace orgledger::console

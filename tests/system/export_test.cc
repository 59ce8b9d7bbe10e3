// `orgledger export`: an auditor's independent verifier (SHA-256 over the exported bytes, nothing
// of ours) accepts the export, and names the position of a flipped byte.
#include <openssl/sha.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_cli.h"
#include "temp_dir.h"

using namespace orgledger::testing;

namespace {


std::string from_base64(const std::string& text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto value = kAlphabet.find(c);
    if (value == std::string::npos) throw std::runtime_error("not base64");
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// What an auditor runs: every line's hash is SHA-256(prev_hash ‖ envelope), every prev_hash the
// hash before it. Returns the first position that fails, 0 when the whole export holds.
std::uint64_t first_bad_position(const std::string& jsonl) {
  std::istringstream lines(jsonl);
  std::string line, previous;
  while (std::getline(lines, line)) {
    const auto event = nlohmann::json::parse(line);
    const std::string prev = from_hex(event["prev_hash"]);
    const std::string bytes = prev + from_base64(event["envelope"]);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    const bool chained = previous.empty() || prev == previous;
    if (!chained || std::string(reinterpret_cast<char*>(digest), sizeof digest) != from_hex(event["hash"]))
      return event["position"];
    previous = from_hex(event["hash"]);
  }
  return 0;
}

}  // namespace

TEST_CASE(
    "export: JSON Lines verify offline - a flipped byte is found at its position - CSV has a header and a row each") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  REQUIRE(run("demo" + data).find("ok") != std::string::npos);
  int code = -1;
  const auto jsonl = run("export --format jsonl" + data, &code);
  REQUIRE(code == 0);
  std::istringstream count(jsonl);
  std::string line;
  int lines = 0;
  while (std::getline(count, line)) {
    const auto event = nlohmann::json::parse(line);  // nothing but one event per line
    CHECK(event["position"] == ++lines);
    CHECK(event.contains("envelope"));
  }
  CHECK(lines == 5);
  CHECK(first_bad_position(jsonl) == 0);

  // Flip one byte of the fourth event's envelope (a character of its base64 inside the line).
  std::vector<std::string> rows;
  std::istringstream split(jsonl);
  while (std::getline(split, line)) rows.push_back(line);
  auto fourth = nlohmann::ordered_json::parse(rows[3]);
  std::string envelope = fourth["envelope"];
  envelope[10] = envelope[10] == 'A' ? 'B' : 'A';
  fourth["envelope"] = envelope;
  rows[3] = fourth.dump();
  std::string tampered;
  for (const auto& row : rows) tampered += row + "\n";
  CHECK(first_bad_position(tampered) == 4);

  // A part of the log verifies on its own: its first prev_hash is given.
  const auto tail = run("export --format jsonl --from 3" + data);
  CHECK(tail.rfind("{\"position\":3", 0) == 0);
  CHECK(first_bad_position(tail) == 0);
  CHECK(run("export --format jsonl --from 2 --to 3" + data).find("\"position\":4") == std::string::npos);

  // The README's procedure: the Python standard library alone.
  const std::string exported = dir.sub("export.jsonl"), altered = dir.sub("altered.jsonl");
  std::fstream(exported, std::ios::out) << jsonl;
  std::fstream(altered, std::ios::out) << tampered;
  const std::string script = std::string("python3 ") + ORGLEDGER_SOURCE + "/tools/verify_export.py ";
  FILE* good = popen((script + exported).c_str(), "r");
  REQUIRE(good != nullptr);
  char first_line[256] = {};
  CHECK(std::fgets(first_line, sizeof first_line, good) != nullptr);
  CHECK(WEXITSTATUS(pclose(good)) == 0);
  CHECK(std::string(first_line).rfind("ok: 5 ", 0) == 0);
  FILE* bad = popen((script + altered + " 2>&1").c_str(), "r");
  REQUIRE(bad != nullptr);
  CHECK(std::fgets(first_line, sizeof first_line, bad) != nullptr);
  CHECK(WEXITSTATUS(pclose(bad)) == 1);
  CHECK(std::string(first_line) == "broken at position 4\n");

  const auto csv = run("export --format csv" + data, &code);
  REQUIRE(code == 0);
  std::istringstream csv_lines(csv);
  std::getline(csv_lines, line);
  CHECK(line ==
        "position,stream,stream_version,recorded_at,type,actor,command_id,correlation_id,data,prev_hash,hash,envelope");
  int csv_rows = 0;
  while (std::getline(csv_lines, line)) ++csv_rows;
  CHECK(csv_rows == 5);
  run("export --format xml" + data, &code);
  CHECK(code == 2);
}

TEST_CASE("export: A6 — reporter contact details are redacted in data unless --reveal-reporter") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  const std::string input = dir.sub("report.json");
  std::fstream(input, std::ios::out)
      << R"({"type": "FileAbuseReport", "actor": "svc:abuse-desk", "report": "r1", "received_at": "2026-01-05T08:00:00Z",)"
      << R"( "category": "spam", "reporter": {"name": "Ida", "email": "ida@example.org"}})";
  int code = -1;
  run("submit --file " + input + data, &code);
  REQUIRE(code == 0);
  const auto redacted = nlohmann::json::parse(run("export --format jsonl" + data));
  CHECK(redacted["data"]["reporter"] == "redacted");
  CHECK(run("export --format csv" + data).find("ida@example.org") == std::string::npos);
  const auto revealed = nlohmann::json::parse(run("export --format jsonl --reveal-reporter" + data));
  CHECK(revealed["data"]["reporter"]["email"] == "ida@example.org");
}

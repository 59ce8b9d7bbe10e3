#include "peer_sqlite.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string_view>

#include "bench_support.h"

namespace orgledger::bench {
namespace {

const char* const kSqliteSchema =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "CREATE TABLE events ("
    "  position INTEGER PRIMARY KEY,"
    "  stream TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  metadata TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    "  UNIQUE (stream, version));";

const char* const kSqliteReadModelSchema =
    "CREATE TABLE members (org TEXT, user_id TEXT, role TEXT NOT NULL, PRIMARY KEY (org, user_id)) WITHOUT ROWID;"
    "CREATE TABLE products (org TEXT, product TEXT, PRIMARY KEY (org, product)) WITHOUT ROWID;"
    "CREATE TABLE member_products (org TEXT, user_id TEXT, product TEXT, PRIMARY KEY (org, user_id, product))"
    " WITHOUT ROWID;"
    "CREATE TABLE team_members (org TEXT, team TEXT, user_id TEXT, PRIMARY KEY (org, team, user_id)) WITHOUT ROWID;"
    "CREATE INDEX team_members_by_user ON team_members (org, user_id);"
    "CREATE TABLE team_products (org TEXT, team TEXT, product TEXT, PRIMARY KEY (org, team, product)) WITHOUT ROWID;"
    "CREATE TABLE partner_scope (org TEXT, partner TEXT, product TEXT, PRIMARY KEY (org, partner, product)) WITHOUT ROWID;"
    "CREATE TABLE partner_managers (org TEXT, partner TEXT, user_id TEXT, PRIMARY KEY (org, user_id, partner))"
    " WITHOUT ROWID;";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw BenchFailure(std::string("SQLite: ") + sqlite3_errmsg(db) + " in: " + sql);
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return statement_; }

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void bind(int index, std::int64_t number) { sqlite3_bind_int64(statement_, index, number); }
  // Binds `text` to the parameter named `name` ("$1").
  void bind(const char* name, std::string_view text) { bind(sqlite3_bind_parameter_index(statement_, name), text); }

  // Steps once: true for a row, false when done; throws on an error. Resets after the last row.
  bool step() {
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    sqlite3_reset(statement_);
    if (status != SQLITE_DONE) throw BenchFailure(std::string("SQLite: ") + sqlite3_errstr(status));
    return false;
  }
  void run() {
    while (step()) {
    }
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      throw BenchFailure("SQLite: cannot open " + path + ": " + sqlite3_errmsg(db_));
    }
  }
  ~Database() { sqlite3_close_v2(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  sqlite3* get() const { return db_; }

  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw BenchFailure("SQLite: " + message + " in: " + std::string(sql).substr(0, 200));
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

// The one writer connection and its statements.
class Writer {
 public:
  explicit Writer(const std::string& path)
      : db_(path),
        begin_(db_.get(), "BEGIN IMMEDIATE"),
        commit_(db_.get(), "COMMIT"),
        version_(db_.get(), "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?1"),
        insert_(db_.get(), "INSERT INTO events (stream, version, type, payload, metadata) VALUES (?1, ?2, ?3, ?4, ?5)") {}

  Database& db() { return db_; }

  // One transaction: each stream's version read, then the events after it.
  void append(const PeerCommand& command) {
    begin_.run();
    std::map<std::string_view, std::int64_t> versions;
    for (const auto& event : command.events) {
      if (versions.contains(event.stream)) continue;
      version_.bind(1, event.stream);
      if (!version_.step()) throw BenchFailure("SQLite: no version row");
      versions[event.stream] = sqlite3_column_int64(version_.get(), 0);
      version_.run();
    }
    for (const auto& event : command.events) {
      insert_.bind(1, event.stream);
      insert_.bind(2, ++versions[event.stream]);
      insert_.bind(3, event.type);
      insert_.bind(4, event.payload);
      insert_.bind(5, event.metadata);
      insert_.run();
    }
    commit_.run();
  }

 private:
  Database db_;
  Statement begin_, commit_, version_, insert_;
};

class SqliteSession final : public PeerSession {
 public:
  SqliteSession(std::mutex& turn, Writer& writer) : turn_(turn), writer_(writer) {}
  std::size_t append(const PeerCommand& command) override {
    std::lock_guard lock(turn_);  // one writer connection: the clients queue for it
    writer_.append(command);
    return 0;
  }

 private:
  std::mutex& turn_;
  Writer& writer_;
};

class SqlitePeer final : public SqlPeer {
 public:
  explicit SqlitePeer(std::string directory) : path_(std::move(directory) + "/events.sqlite") { reset(); }

  std::string name() const override { return "SQLite"; }

  void reset() override {
    writer_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    {
      Database fresh(path_);
      fresh.exec(kSqliteSchema);
    }
    writer_ = std::make_unique<Writer>(path_);
    writer_->db().exec("PRAGMA synchronous = FULL");  // per connection; journal_mode WAL is persistent
  }

  std::unique_ptr<PeerSession> session() override { return std::make_unique<SqliteSession>(turn_, *writer_); }

  void bulk_load(const std::vector<PeerCommand>& commands) override {
    reset();
    auto& db = writer_->db();
    Statement insert(db.get(),
                     "INSERT INTO events (stream, version, type, payload, metadata) VALUES (?1, ?2, ?3, ?4, ?5)");
    db.exec("BEGIN");
    for (const auto& command : commands) {
      for (const auto& event : command.events) {
        insert.bind(1, event.stream);
        insert.bind(2, static_cast<std::int64_t>(event.version));
        insert.bind(3, event.type);
        insert.bind(4, event.payload);
        insert.bind(5, event.metadata);
        insert.run();
      }
    }
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  ReadRun read_all(std::size_t expected) override {
    Database reader(path_);
    Statement all(reader.get(),
                  "SELECT position, stream, version, type, payload, metadata, recorded_at FROM events ORDER BY position");
    ReadRun run;
    std::size_t bytes = 0;
    const Stopwatch elapsed;
    while (all.step()) {
      for (int column = 0; column < 7; ++column) {
        sqlite3_column_text(all.get(), column);
        bytes += static_cast<std::size_t>(sqlite3_column_bytes(all.get(), column));
      }
      ++run.events;
    }
    run.seconds = elapsed.seconds();
    if (run.events != expected || bytes == 0) {
      throw BenchFailure("SQLite read " + std::to_string(run.events) + " events, not " + std::to_string(expected));
    }
    return run;
  }

  std::uintmax_t bytes_on_disk() override {
    writer_->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::uintmax_t bytes = 0;
    for (const char* suffix : {"", "-wal"}) {
      if (std::filesystem::exists(path_ + suffix)) bytes += std::filesystem::file_size(path_ + suffix);
    }
    return bytes;
  }

  void load_read_model(const ReadModel& model) override {
    auto& db = writer_->db();
    db.exec(kSqliteReadModelSchema);
    db.exec("BEGIN");
    const auto load = [&](const char* sql, const auto& rows, auto bind) {
      Statement insert(db.get(), sql);
      for (const auto& row : rows) {
        bind(insert, row);
        insert.run();
      }
    };
    load("INSERT INTO members VALUES (?1, ?2, ?3)", model.members, [](Statement& s, const ReadModel::Member& row) {
      s.bind(1, row.org), s.bind(2, row.user), s.bind(3, row.role);
    });
    load("INSERT INTO products VALUES (?1, ?2)", model.products, [](Statement& s, const ReadModel::Product& row) {
      s.bind(1, row.org), s.bind(2, row.product);
    });
    const auto grant = [](Statement& s, const ReadModel::Grant& row) {
      s.bind(1, row.org), s.bind(2, row.holder), s.bind(3, row.product);
    };
    load("INSERT INTO member_products VALUES (?1, ?2, ?3)", model.member_products, grant);
    load("INSERT INTO team_members VALUES (?1, ?2, ?3)", model.team_members, grant);
    load("INSERT INTO team_products VALUES (?1, ?2, ?3)", model.team_products, grant);
    load("INSERT INTO partner_scope VALUES (?1, ?2, ?3)", model.partner_scope, grant);
    load("INSERT INTO partner_managers VALUES (?1, ?2, ?3)", model.partner_managers, grant);
    db.exec("COMMIT");
    db.exec("ANALYZE");
  }

  std::vector<bool> ask(const std::vector<AccessQuestion>& questions, std::vector<double>& micros) override {
    Database asker(path_);
    Statement query(asker.get(), kAccessQuery);
    std::vector<bool> answers;
    micros.clear();
    for (const auto& question : questions) {
      const Stopwatch one;
      query.bind("$1", question.org);
      query.bind("$2", question.user);
      query.bind("$3", question.product);
      if (!query.step()) throw BenchFailure("SQLite: the access query gave no row");
      answers.push_back(sqlite3_column_int(query.get(), 0) != 0);
      query.run();
      micros.push_back(one.micros());
    }
    return answers;
  }

 private:
  const std::string path_;
  std::mutex turn_;
  std::unique_ptr<Writer> writer_;
};

}  // namespace

std::unique_ptr<SqlPeer> make_sqlite_peer(const std::string& directory) {
  return std::make_unique<SqlitePeer>(directory);
}

}  // namespace orgledger::bench

#include "peer_postgres.h"

#include <libpq-fe.h>

#include <string_view>
#include <utility>

#include "bench_support.h"

namespace orgledger::bench {
namespace {

constexpr std::string_view kUniqueViolation = "23505";  // lost a race for a stream's next version

const char* const kPostgresSchema =
    "DROP TABLE IF EXISTS events, members, products, member_products, team_members, team_products, partner_scope,"
    " partner_managers;"
    "CREATE TABLE events ("
    "  position bigserial PRIMARY KEY,"
    "  stream text NOT NULL,"
    "  version bigint NOT NULL,"
    "  type text NOT NULL,"
    "  payload jsonb NOT NULL,"
    "  metadata jsonb NOT NULL,"
    "  recorded_at timestamptz NOT NULL DEFAULT now(),"
    "  UNIQUE (stream, version));";

const char* const kPostgresReadModelSchema =
    "CREATE TABLE members (org text, user_id text, role text NOT NULL, PRIMARY KEY (org, user_id));"
    "CREATE TABLE products (org text, product text, PRIMARY KEY (org, product));"
    "CREATE TABLE member_products (org text, user_id text, product text, PRIMARY KEY (org, user_id, product));"
    "CREATE TABLE team_members (org text, team text, user_id text, PRIMARY KEY (org, team, user_id));"
    "CREATE INDEX team_members_by_user ON team_members (org, user_id);"
    "CREATE TABLE team_products (org text, team text, product text, PRIMARY KEY (org, team, product));"
    "CREATE TABLE partner_scope (org text, partner text, product text, PRIMARY KEY (org, partner, product));"
    "CREATE TABLE partner_managers (org text, partner text, user_id text, PRIMARY KEY (org, user_id, partner));";

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

class Connection {
 public:
  explicit Connection(const std::string& conninfo) : connection_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
      throw BenchFailure("PostgreSQL: cannot connect (" + conninfo + "): " + PQerrorMessage(connection_.get()));
    }
    // Notices ("table … does not exist, skipping") are not news here; errors still throw.
    PQsetNoticeProcessor(connection_.get(), [](void*, const char*) {}, nullptr);
  }
  PGconn* get() const { return connection_.get(); }

  // Runs `sql` (one or more statements without parameters); throws unless it succeeded.
  Result exec(const char* sql) {
    Result result(PQexec(get(), sql), &PQclear);
    check(result, sql);
    return result;
  }

  void prepare(const std::string& name, const std::string& sql, int parameters) {
    Result result(PQprepare(get(), name.c_str(), sql.c_str(), parameters, nullptr), &PQclear);
    check(result, sql.c_str());
  }

  // Runs the prepared statement `name`; the result whatever its status (the caller decides).
  Result run(const std::string& name, const std::vector<const char*>& values) {
    return Result(PQexecPrepared(get(), name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                 nullptr, 0),
                  &PQclear);
  }

  void check(const Result& result, const char* what) const {
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) {
      throw BenchFailure(std::string("PostgreSQL: ") + PQerrorMessage(get()) + " in: " + std::string(what).substr(0, 200));
    }
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
};

bool is_ok(const Result& result) {
  const auto status = PQresultStatus(result.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string_view sql_state(const Result& result) {
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  return state ? state : "";
}

// COPY text format: backslash, tab, newline and carriage return escaped.
void append_copy_field(std::string& line, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line += c;
    }
  }
}

// Streams rows into `table` with COPY; each row's fields from `fields(row, out)`.
template <typename Rows, typename Fields>
void copy_rows(Connection& connection, const std::string& copy_sql, const Rows& rows, Fields fields) {
  connection.exec(copy_sql.c_str());
  std::string buffer;
  const auto flush = [&] {
    if (PQputCopyData(connection.get(), buffer.data(), static_cast<int>(buffer.size())) != 1) {
      throw BenchFailure(std::string("PostgreSQL COPY: ") + PQerrorMessage(connection.get()));
    }
    buffer.clear();
  };
  for (const auto& row : rows) {
    fields(row, buffer);
    if (buffer.size() > (1 << 20)) flush();
  }
  flush();
  if (PQputCopyEnd(connection.get(), nullptr) != 1) throw BenchFailure("PostgreSQL COPY end failed");
  Result result(PQgetResult(connection.get()), &PQclear);
  connection.check(result, copy_sql.c_str());
  while (PGresult* rest = PQgetResult(connection.get())) PQclear(rest);
}

// Appends "a\tb\tc\n" of `values` to `out`.
void copy_line(std::string& out, std::initializer_list<std::string_view> values) {
  bool first = true;
  for (auto value : values) {
    if (!first) out += '\t';
    first = false;
    append_copy_field(out, value);
  }
  out += '\n';
}

// A PostgreSQL array literal of `items` ({"a","b"}), each quoted with \ and " escaped.
std::string array_literal(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// One statement per command, so one round trip: an implicit transaction takes each stream's next
// versions from its current maximum; the unique (stream, version) constraint turns away a writer
// that raced for the same version, which then tries again (optimistic concurrency).
const char* const kAppendOne =
    "INSERT INTO events (stream, version, type, payload, metadata)"
    " SELECT $1, coalesce(max(version), 0) + 1, $2, $3::jsonb, $4::jsonb FROM events WHERE stream = $1";
const char* const kAppendMany =
    "INSERT INTO events (stream, version, type, payload, metadata)"
    " SELECT e.stream,"
    "        coalesce((SELECT max(x.version) FROM events x WHERE x.stream = e.stream), 0)"
    "          + row_number() OVER (PARTITION BY e.stream ORDER BY e.ord),"
    "        e.type, e.payload, e.metadata"
    " FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])"
    "      WITH ORDINALITY AS e(stream, type, payload, metadata, ord)"
    " ORDER BY e.ord";

class PostgresSession final : public PeerSession {
 public:
  explicit PostgresSession(const std::string& conninfo) : connection_(conninfo) {
    connection_.prepare("append_one", kAppendOne, 4);
    connection_.prepare("append_many", kAppendMany, 4);
  }

  std::size_t append(const PeerCommand& command) override {
    for (std::size_t retries = 0;; ++retries) {
      if (try_append(command)) return retries;
    }
  }

 private:
  // False when another writer took one of the versions first (nothing was written).
  bool try_append(const PeerCommand& command) {
    Result result(nullptr, &PQclear);
    if (command.events.size() == 1) {
      const auto& event = command.events.front();
      result = connection_.run("append_one",
                               {event.stream.c_str(), event.type.c_str(), event.payload.c_str(), event.metadata.c_str()});
    } else {
      std::vector<std::string_view> streams, types, payloads, metadata;
      for (const auto& event : command.events) {
        streams.push_back(event.stream);
        types.push_back(event.type);
        payloads.push_back(event.payload);
        metadata.push_back(event.metadata);
      }
      const std::string arrays[] = {array_literal(streams), array_literal(types), array_literal(payloads),
                                    array_literal(metadata)};
      result = connection_.run("append_many",
                               {arrays[0].c_str(), arrays[1].c_str(), arrays[2].c_str(), arrays[3].c_str()});
    }
    if (is_ok(result)) return true;
    if (sql_state(result) != kUniqueViolation) connection_.check(result, "append");
    return false;
  }

  Connection connection_;
};

class PostgresPeer final : public SqlPeer {
 public:
  explicit PostgresPeer(std::string conninfo) : conninfo_(std::move(conninfo)), admin_(conninfo_) {
    admin_.exec(kPostgresSchema);
  }

  std::string name() const override { return "PostgreSQL"; }
  void reset() override { admin_.exec("TRUNCATE events RESTART IDENTITY"); }
  std::unique_ptr<PeerSession> session() override { return std::make_unique<PostgresSession>(conninfo_); }

  void bulk_load(const std::vector<PeerCommand>& commands) override {
    reset();
    copy_rows(admin_, "COPY events (stream, version, type, payload, metadata) FROM STDIN", commands,
              [](const PeerCommand& command, std::string& out) {
                for (const auto& event : command.events) {
                  copy_line(out, {event.stream, std::to_string(event.version), event.type, event.payload, event.metadata});
                }
              });
    // A settled table, as after the day's autovacuum: hint bits and visibility map set.
    admin_.exec("VACUUM ANALYZE events");
    admin_.exec("CHECKPOINT");
  }

  ReadRun read_all(std::size_t expected) override {
    Connection reader(conninfo_);
    reader.prepare("page",
                   "SELECT position, stream, version, type, payload, metadata, recorded_at FROM events"
                   " WHERE position > $1 ORDER BY position LIMIT 10000",
                   1);
    ReadRun run;
    std::size_t bytes = 0;
    std::string after = "0";
    const Stopwatch elapsed;
    for (;;) {
      auto page = reader.run("page", {after.c_str()});
      reader.check(page, "page");
      const int rows = PQntuples(page.get());
      if (rows == 0) break;
      for (int row = 0; row < rows; ++row) {
        for (int column = 0; column < 7; ++column) bytes += PQgetlength(page.get(), row, column);
      }
      run.events += static_cast<std::size_t>(rows);
      after = PQgetvalue(page.get(), rows - 1, 0);
    }
    run.seconds = elapsed.seconds();
    if (run.events != expected || bytes == 0) {
      throw BenchFailure("PostgreSQL read " + std::to_string(run.events) + " events, not " + std::to_string(expected));
    }
    return run;
  }

  std::uintmax_t bytes_on_disk() override {
    auto result = admin_.exec("SELECT pg_total_relation_size('events')");
    return std::stoull(PQgetvalue(result.get(), 0, 0));
  }

  void load_read_model(const ReadModel& model) override {
    admin_.exec(kPostgresReadModelSchema);
    copy_rows(admin_, "COPY members FROM STDIN", model.members,
              [](const auto& row, std::string& out) { copy_line(out, {row.org, row.user, row.role}); });
    copy_rows(admin_, "COPY products FROM STDIN", model.products,
              [](const auto& row, std::string& out) { copy_line(out, {row.org, row.product}); });
    const auto grant = [](const ReadModel::Grant& row, std::string& out) {
      copy_line(out, {row.org, row.holder, row.product});
    };
    copy_rows(admin_, "COPY member_products FROM STDIN", model.member_products, grant);
    copy_rows(admin_, "COPY team_members FROM STDIN", model.team_members, grant);
    copy_rows(admin_, "COPY team_products FROM STDIN", model.team_products, grant);
    copy_rows(admin_, "COPY partner_scope FROM STDIN", model.partner_scope, grant);
    copy_rows(admin_, "COPY partner_managers FROM STDIN", model.partner_managers, grant);
    admin_.exec("VACUUM ANALYZE members, products, member_products, team_members, team_products, partner_scope, "
                "partner_managers");
  }

  std::vector<bool> ask(const std::vector<AccessQuestion>& questions, std::vector<double>& micros) override {
    Connection asker(conninfo_);
    asker.prepare("can_access", kAccessQuery, 3);
    std::vector<bool> answers;
    micros.clear();
    for (const auto& question : questions) {
      const Stopwatch one;
      auto result = asker.run("can_access", {question.org.c_str(), question.user.c_str(), question.product.c_str()});
      asker.check(result, "can_access");
      answers.push_back(PQgetvalue(result.get(), 0, 0)[0] == 't');
      micros.push_back(one.micros());
    }
    return answers;
  }

 private:
  const std::string conninfo_;
  Connection admin_;
};

}  // namespace

std::unique_ptr<SqlPeer> make_postgres_peer(const std::string& conninfo) {
  return std::make_unique<PostgresPeer>(conninfo);
}

}  // namespace orgledger::bench

#include "tessera/specs/io/results_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <fstream>
#include <map>

namespace tessera {

namespace {

std::string sql_name(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const char* type_name(ColumnType t) {
  switch (t) {
    case ColumnType::Integer: return "INTEGER";
    case ColumnType::Real: return "REAL";
    case ColumnType::Text: return "TEXT";
  }
  return "TEXT";
}

// Finalizes a prepared statement when it goes out of scope.
struct Statement {
  sqlite3_stmt* s = nullptr;
  ~Statement() { sqlite3_finalize(s); }
};

Cell read_cell(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT: return sqlite3_column_double(s, i);
    case SQLITE_NULL: return std::monostate{};
    default: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(s, i)));
    }
  }
}

int bind_cell(sqlite3_stmt* s, int i, const Cell& c) {
  if (const auto* v = std::get_if<int64_t>(&c)) return sqlite3_bind_int64(s, i, *v);
  if (const auto* v = std::get_if<double>(&c)) return sqlite3_bind_double(s, i, *v);
  if (const auto* v = std::get_if<std::string>(&c))
    return sqlite3_bind_text(s, i, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT);
  return sqlite3_bind_null(s, i);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<std::unique_ptr<ResultsStore>> ResultsStore::open(const std::filesystem::path& path,
                                                         std::vector<ResultColumn> columns, std::string flag) {
  if (columns.size() < 2 || columns[0].name != kIndexColumn || columns[1].name != kKeyColumn)
    return internal_error("results store: the first columns must be grid_index and key");
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  std::unique_ptr<ResultsStore> store(new ResultsStore(db, path.string(), std::move(flag), std::move(columns)));
  if (rc != SQLITE_OK) return store->sql_error("cannot open");
  TESSERA_TRY(store->exec("PRAGMA synchronous=NORMAL"));
  TESSERA_TRY(store->ensure_table());
  return store;
}

ResultsStore::~ResultsStore() { sqlite3_close(db_); }

Error ResultsStore::sql_error(const std::string& what) const {
  const char* msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
  return bad_input(fmt::format("{}: '{}': {}: {}", flag_, file_, what, msg));
}

Status ResultsStore::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return sql_error("SQLite");
  return {};
}

Status ResultsStore::ensure_table() {
  std::string create = "CREATE TABLE IF NOT EXISTS runs (";
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i) create += ", ";
    create += sql_name(columns_[i].name) + " " + type_name(columns_[i].type);
    if (columns_[i].name == kKeyColumn) create += " UNIQUE NOT NULL";
  }
  TESSERA_TRY(exec(create + ")"));
  Statement info;
  if (sqlite3_prepare_v2(db_, "PRAGMA table_info(runs)", -1, &info.s, nullptr) != SQLITE_OK)
    return sql_error("not a results file");
  std::map<std::string, bool> present;
  while (sqlite3_step(info.s) == SQLITE_ROW)
    present[reinterpret_cast<const char*>(sqlite3_column_text(info.s, 1))] = true;
  if (!present.count(kKeyColumn))
    return bad_input(fmt::format("{}: '{}': table 'runs' has no 'key' column: not a tessera sweep file", flag_, file_));
  for (const ResultColumn& c : columns_) {
    if (present.count(c.name)) continue;
    TESSERA_TRY(exec("ALTER TABLE runs ADD COLUMN " + sql_name(c.name) + " " + type_name(c.type)));
  }
  return {};
}

Result<std::unordered_set<std::string>> ResultsStore::keys() const {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT key FROM runs", -1, &st.s, nullptr) != SQLITE_OK) return sql_error("read");
  std::unordered_set<std::string> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    out.emplace(p ? p : "");
  }
  if (rc != SQLITE_DONE) return sql_error("read");
  return out;
}

Status ResultsStore::append(const std::vector<ResultRow>& rows) {
  if (rows.empty()) return {};
  std::string sql = "INSERT OR REPLACE INTO runs (";
  std::string params;
  for (size_t i = 0; i < columns_.size(); ++i) {
    sql += (i ? ", " : "") + sql_name(columns_[i].name);
    params += i ? ", ?" : "?";
  }
  sql += ") VALUES (" + params + ")";
  TESSERA_TRY(exec("BEGIN"));
  Statement st;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) {
    Error e = sql_error("write");
    (void)exec("ROLLBACK");
    return e;
  }
  for (const ResultRow& row : rows) {
    sqlite3_reset(st.s);
    for (size_t i = 0; i < columns_.size(); ++i)
      bind_cell(st.s, static_cast<int>(i + 1), i < row.size() ? row[i] : Cell{});
    if (sqlite3_step(st.s) != SQLITE_DONE) {
      Error e = sql_error("write");
      (void)exec("ROLLBACK");
      return e;
    }
  }
  return exec("COMMIT");
}

Result<std::vector<ResultRow>> ResultsStore::rows() const {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns_.size(); ++i) sql += (i ? ", " : "") + sql_name(columns_[i].name);
  sql += " FROM runs ORDER BY grid_index, key";
  Statement st;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK) return sql_error("read");
  std::vector<ResultRow> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    ResultRow row;
    row.reserve(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) row.push_back(read_cell(st.s, static_cast<int>(i)));
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return sql_error("read");
  return out;
}

std::string cell_text(const Cell& c) {
  if (const auto* v = std::get_if<int64_t>(&c)) return std::to_string(*v);
  if (const auto* v = std::get_if<double>(&c)) return fmt::format("{}", *v);
  if (const auto* v = std::get_if<std::string>(&c)) return *v;
  return "";
}

std::string csv_text(const std::vector<ResultColumn>& columns, const std::vector<ResultRow>& rows) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_field(columns[i].name);
  out += "\n";
  for (const ResultRow& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_field(i < row.size() ? cell_text(row[i]) : "");
    out += "\n";
  }
  return out;
}

Status write_text_file_atomic(const std::filesystem::path& path, const std::string& text, const std::string& flag) {
  const std::filesystem::path tmp = path.string() + ".tmp-tessera";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return bad_input(fmt::format("{}: cannot write '{}'", flag, path.string()));
    out << text;
    if (!out) {
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return bad_input(fmt::format("{}: error writing '{}'", flag, path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return bad_input(fmt::format("{}: cannot write '{}'", flag, path.string()));
  }
  return {};
}

// Encoding: per row, the cell count then each cell as a tag byte and a payload:
// 'n' (NULL), 'i' + decimal + ';', 'd' + shortest round-trip decimal + ';',
// 's' + byte length + ':' + bytes.
std::string encode_rows(const std::vector<ResultRow>& rows) {
  std::string out;
  for (const ResultRow& row : rows) {
    out += std::to_string(row.size()) + ";";
    for (const Cell& c : row) {
      if (const auto* v = std::get_if<int64_t>(&c)) {
        out += "i" + std::to_string(*v) + ";";
      } else if (const auto* v = std::get_if<double>(&c)) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, *v);
        out += "d" + std::string(buf, r.ptr) + ";";
      } else if (const auto* v = std::get_if<std::string>(&c)) {
        out += "s" + std::to_string(v->size()) + ":" + *v;
      } else {
        out += "n";
      }
    }
  }
  return out;
}

Result<std::vector<ResultRow>> decode_rows(std::string_view b) {
  const Error bad = internal_error("results: malformed row encoding");
  size_t pos = 0;
  auto number_until = [&](char end, auto& value) -> bool {
    const size_t stop = b.find(end, pos);
    if (stop == std::string_view::npos) return false;
    const auto r = std::from_chars(b.data() + pos, b.data() + stop, value);
    if (r.ec != std::errc{} || r.ptr != b.data() + stop) return false;
    pos = stop + 1;
    return true;
  };
  std::vector<ResultRow> rows;
  while (pos < b.size()) {
    size_t n = 0;
    if (!number_until(';', n)) return bad;
    ResultRow row;
    row.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (pos >= b.size()) return bad;
      const char tag = b[pos++];
      if (tag == 'n') {
        row.emplace_back();
      } else if (tag == 'i') {
        int64_t v = 0;
        if (!number_until(';', v)) return bad;
        row.emplace_back(v);
      } else if (tag == 'd') {
        double v = 0;
        if (!number_until(';', v)) return bad;
        row.emplace_back(v);
      } else if (tag == 's') {
        size_t len = 0;
        if (!number_until(':', len) || pos + len > b.size()) return bad;
        row.emplace_back(std::string(b.substr(pos, len)));
        pos += len;
      } else {
        return bad;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tessera

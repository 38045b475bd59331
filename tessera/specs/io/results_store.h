// Sweep results on disk: an SQLite file with one table, `runs` (one row per run,
// every column typed), and a CSV export. Rows are written in transactions as runs
// finish, so an interrupted sweep keeps every finished row and a rerun resumes by
// skipping the keys already present. SQLite makes each commit atomic: the file is
// never half-written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include "tessera/core/status.h"

struct sqlite3;

namespace tessera {

enum class ColumnType { Integer, Real, Text };

struct ResultColumn {
  std::string name;
  ColumnType type = ColumnType::Text;
};

// NULL, INTEGER, REAL or TEXT. A NaN stored in SQLite reads back as NULL.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;
using ResultRow = std::vector<Cell>;  // one cell per column, in column order

class ResultsStore {
 public:
  // The columns every store has first: the run's position in its grid and its
  // canonical input key (the resume key, unique).
  static constexpr const char* kIndexColumn = "grid_index";
  static constexpr const char* kKeyColumn = "key";

  // Opens (or creates) `path`, making table `runs` hold `columns`, whose first two
  // must be kIndexColumn and kKeyColumn; columns missing from an existing table are
  // added (old rows read NULL there). `flag` names the path in messages.
  static Result<std::unique_ptr<ResultsStore>> open(const std::filesystem::path& path,
                                                    std::vector<ResultColumn> columns, std::string flag = "--out");
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;
  ~ResultsStore();

  // Keys of the rows already stored.
  Result<std::unordered_set<std::string>> keys() const;
  // Inserts (or replaces, by key) `rows` in one transaction.
  Status append(const std::vector<ResultRow>& rows);
  // Every row, ordered by grid index then key, cells in column order.
  Result<std::vector<ResultRow>> rows() const;
  const std::vector<ResultColumn>& columns() const { return columns_; }

 private:
  ResultsStore(sqlite3* db, std::string file, std::string flag, std::vector<ResultColumn> columns)
      : db_(db), file_(std::move(file)), flag_(std::move(flag)), columns_(std::move(columns)) {}
  Error sql_error(const std::string& what) const;
  Status exec(const std::string& sql);
  Status ensure_table();

  sqlite3* db_;
  std::string file_, flag_;
  std::vector<ResultColumn> columns_;
};

// Deterministic text of a cell: "" for NULL, integers in decimal, reals in their
// shortest round-trip form.
std::string cell_text(const Cell& c);

// RFC 4180 CSV: a header of column names, then one line per row.
std::string csv_text(const std::vector<ResultColumn>& columns, const std::vector<ResultRow>& rows);

// Writes `text` to `path` through a temporary file and a rename. `flag` names it in messages.
Status write_text_file_atomic(const std::filesystem::path& path, const std::string& text, const std::string& flag);

// Lossless byte encoding of rows (for moving them between MPI ranks).
std::string encode_rows(const std::vector<ResultRow>& rows);
Result<std::vector<ResultRow>> decode_rows(std::string_view bytes);

}  // namespace tessera

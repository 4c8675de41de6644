// ObjectReader: reads the fields of one JSON object of the config file,
// type-checks and range-checks them, and collects every problem as a line
// "<path>: <what is wrong>". Keys never asked for are reported as unknown by
// Finish(), which is how a typo in any section becomes an error.
//
// Internal to gg_config. Not thread-safe; one reader per object per parse.
#ifndef GG_AGENT_CONFIG_JSON_READER_H_
#define GG_AGENT_CONFIG_JSON_READER_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace gg::config::internal {

class ObjectReader {
 public:
  // `object` may be null (section absent: every field takes its default).
  // `errors` must outlive the reader.
  ObjectReader(const nlohmann::json* object,
               std::string path,
               std::vector<std::string>* errors);

  // A nested object; absent or null gives a reader over nothing, anything
  // else that is not an object is an error.
  ObjectReader Section(std::string_view key);

  // Each reader leaves `out` untouched when the key is absent (the default
  // stays). The Optional* forms also accept null, which resets to nullopt.
  // Returns true when a valid value was stored.
  bool String(std::string_view key, std::string* out);
  bool OptionalString(std::string_view key, std::optional<std::string>* out);
  bool Integer(std::string_view key,
               long long min,
               long long max,
               long long* out);
  bool Integer(std::string_view key, long long min, long long max, int* out);
  bool OptionalInteger(std::string_view key,
                       long long min,
                       long long max,
                       std::optional<int>* out);
  bool Number(std::string_view key, double* out);
  // A string array; null gives nullopt, [] an empty vector.
  bool OptionalStringArray(std::string_view key,
                           std::optional<std::vector<std::string>>* out);
  bool OptionalIntegerArray(std::string_view key,
                            long long min,
                            long long max,
                            std::optional<std::vector<long long>>* out);

  // True when `key` is present and not null (marks it known).
  bool Has(std::string_view key);

  // Records "<path>.<key>: <message>".
  void Fail(std::string_view key, std::string_view message);
  // "<path>.<key>" for messages about array elements etc.
  std::string PathOf(std::string_view key) const;
  std::vector<std::string>* errors() { return errors_; }

  // Reports every key of the object that no reader call asked for.
  void Finish();

 private:
  const nlohmann::json* Get(std::string_view key);

  const nlohmann::json* object_;
  std::string path_;
  std::vector<std::string>* errors_;
  std::set<std::string, std::less<>> known_;
};

// Parses `text`, rejecting duplicate keys (the last would silently win).
// On failure appends a line to `errors` and returns nullopt.
std::optional<nlohmann::json> ParseStrictJson(std::string_view text,
                                              std::vector<std::string>* errors);

}  // namespace gg::config::internal

#endif  // GG_AGENT_CONFIG_JSON_READER_H_

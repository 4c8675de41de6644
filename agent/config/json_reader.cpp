#include "agent/config/json_reader.h"

#include <utility>

namespace gg::config::internal {

using nlohmann::json;

ObjectReader::ObjectReader(const json* object,
                           std::string path,
                           std::vector<std::string>* errors)
    : object_(object), path_(std::move(path)), errors_(errors) {
  if (object_ != nullptr && object_->is_null())
    object_ = nullptr;
}

std::string ObjectReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ObjectReader::Fail(std::string_view key, std::string_view message) {
  errors_->push_back(PathOf(key) + ": " + std::string(message));
}

const json* ObjectReader::Get(std::string_view key) {
  known_.emplace(key);
  if (object_ == nullptr)
    return nullptr;
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null())
    return nullptr;
  return &*it;
}

bool ObjectReader::Has(std::string_view key) {
  return Get(key) != nullptr;
}

ObjectReader ObjectReader::Section(std::string_view key) {
  const json* v = Get(key);
  if (v != nullptr && !v->is_object()) {
    Fail(key, "must be an object");
    v = nullptr;
  }
  return ObjectReader(v, PathOf(key), errors_);
}

bool ObjectReader::String(std::string_view key, std::string* out) {
  const json* v = Get(key);
  if (v == nullptr)
    return false;
  if (!v->is_string()) {
    Fail(key, "must be a string");
    return false;
  }
  *out = v->get<std::string>();
  return true;
}

bool ObjectReader::OptionalString(std::string_view key,
                                  std::optional<std::string>* out) {
  std::string s;
  if (!String(key, &s))
    return false;
  *out = std::move(s);
  return true;
}

bool ObjectReader::Integer(std::string_view key,
                           long long min,
                           long long max,
                           long long* out) {
  const json* v = Get(key);
  if (v == nullptr)
    return false;
  // Floats such as 3000.5 are refused rather than truncated.
  if (!v->is_number_integer()) {
    Fail(key, "must be an integer");
    return false;
  }
  long long n = 0;
  if (v->is_number_unsigned()) {
    auto u = v->get<unsigned long long>();
    n = u > static_cast<unsigned long long>(max) ? max + 1
                                                 : static_cast<long long>(u);
  } else {
    n = v->get<long long>();
  }
  if (n < min || n > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
    return false;
  }
  *out = n;
  return true;
}

bool ObjectReader::Integer(std::string_view key,
                           long long min,
                           long long max,
                           int* out) {
  long long n = 0;
  if (!Integer(key, min, max, &n))
    return false;
  *out = static_cast<int>(n);
  return true;
}

bool ObjectReader::OptionalInteger(std::string_view key,
                                   long long min,
                                   long long max,
                                   std::optional<int>* out) {
  if (object_ != nullptr && object_->contains(key) &&
      object_->at(std::string(key)).is_null()) {
    known_.emplace(key);
    out->reset();
    return true;
  }
  int n = 0;
  if (!Integer(key, min, max, &n))
    return false;
  *out = n;
  return true;
}

bool ObjectReader::Number(std::string_view key, double* out) {
  const json* v = Get(key);
  if (v == nullptr)
    return false;
  if (!v->is_number()) {
    Fail(key, "must be a number");
    return false;
  }
  *out = v->get<double>();
  return true;
}

bool ObjectReader::OptionalStringArray(
    std::string_view key,
    std::optional<std::vector<std::string>>* out) {
  const json* v = Get(key);
  if (v == nullptr) {
    out->reset();
    return false;
  }
  if (!v->is_array()) {
    Fail(key, "must be an array of strings or null");
    return false;
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      errors_->push_back(PathOf(key) + "[" + std::to_string(i) +
                         "]: must be a string");
      return false;
    }
    items.push_back((*v)[i].get<std::string>());
  }
  *out = std::move(items);
  return true;
}

bool ObjectReader::OptionalIntegerArray(
    std::string_view key,
    long long min,
    long long max,
    std::optional<std::vector<long long>>* out) {
  const json* v = Get(key);
  if (v == nullptr) {
    out->reset();
    return false;
  }
  if (!v->is_array()) {
    Fail(key, "must be an array of integers or null");
    return false;
  }
  std::vector<long long> items;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    bool ok = e.is_number_integer() &&
              (e.is_number_unsigned()
                   ? e.get<unsigned long long>() <=
                         static_cast<unsigned long long>(max)
                   : e.get<long long>() >= min && e.get<long long>() <= max);
    if (!ok) {
      errors_->push_back(PathOf(key) + "[" + std::to_string(i) +
                         "]: must be an integer between " +
                         std::to_string(min) + " and " + std::to_string(max));
      return false;
    }
    items.push_back(e.get<long long>());
  }
  *out = std::move(items);
  return true;
}

void ObjectReader::Finish() {
  if (object_ == nullptr)
    return;
  for (const auto& [key, value] : object_->items())
    if (known_.find(key) == known_.end())
      Fail(key, "unknown key");
}

std::optional<json> ParseStrictJson(std::string_view text,
                                    std::vector<std::string>* errors) {
  // One set of seen keys per open object, so {"a":1,"a":2} is caught at
  // any depth.
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> duplicates;
  json::parser_callback_t cb = [&](int, json::parse_event_t event,
                                   json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        seen.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!seen.empty())
          seen.pop_back();
        break;
      case json::parse_event_t::key:
        if (!seen.empty() &&
            !seen.back().insert(parsed.get<std::string>()).second)
          duplicates.push_back(parsed.get<std::string>());
        break;
      default:
        break;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), cb);
  } catch (const json::parse_error& e) {
    // The library's message quotes the text it last read, which may be a
    // secret: report only the position.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    errors->push_back("config: not valid JSON (line " + std::to_string(line) +
                      ", column " + std::to_string(column) + ")");
    return std::nullopt;
  } catch (const json::exception&) {
    // A number too large for any type (out_of_range 406), found by
    // tests/fuzz/config_fuzzer: a bad file, never a crash.
    errors->push_back("config: not valid JSON (a number out of range)");
    return std::nullopt;
  }
  if (!duplicates.empty()) {
    for (const auto& d : duplicates)
      errors->push_back(d + ": key appears more than once");
    return std::nullopt;
  }
  if (!doc.is_object()) {
    errors->push_back("config: the top level must be a JSON object");
    return std::nullopt;
  }
  return doc;
}

}  // namespace gg::config::internal

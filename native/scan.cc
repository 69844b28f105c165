// twin_scan.node: the cold read's line scanner in C++ (no libtorch), loadable
// from any thread (plain N-API, context-aware). It reads twin's own scalars
// lines of a metrics.jsonl exactly as src/log/scalars-line.ts does, but a
// whole stretch of lines per call, and returns each tag's points as packed
// step/value arrays. Numbers are checked against JSON's grammar (RFC 8259 §6)
// and converted by std::from_chars, which rounds correctly (as JSON.parse
// does), so 17-digit values need no slow path. The first line not in exactly
// twin's form (or with a number out of double's range) stops the scan: the
// caller reads it with the JavaScript path, the reference, and scans on after it.
#include <node_api.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#if !defined(__cpp_lib_to_chars) || __cpp_lib_to_chars < 201611L
#error "twin_scan needs std::from_chars for double (C++17 <charconv>: GCC 11 or later, or clang with libc++ 17 or later)"
#endif

namespace {

/**
 * One tag's points in the order of their lines, and whether their steps
 * increase (the caller then appends them at once; otherwise it adds them one
 * by one as run-state.ts addPoint does: a step logged again, a resumed run).
 */
struct Series {
  std::string tag;
  std::vector<double> steps;
  std::vector<double> values;
  bool increasing = true;

  void add(double step, double value) {
    if (!steps.empty() && !(step > steps.back())) increasing = false;
    steps.push_back(step);
    values.push_back(value);
  }
};

/** A value of a line, held until the whole line is known to be in twin's form. */
struct Pending {
  const uint8_t* tag;
  size_t length;
  double value;
};

/** The series of one scan, in the order their tags first came, found by tag. */
struct Scan {
  std::vector<Series> series;
  std::unordered_map<std::string, size_t> byTag;
  /** The series of the k-th value of the line before: lines usually repeat their tags in order. */
  std::vector<size_t> hint;

  size_t find(size_t position, const uint8_t* tag, size_t length) {
    if (position < hint.size()) {
      const std::string& t = series[hint[position]].tag;
      if (t.size() == length && std::memcmp(t.data(), tag, length) == 0) return hint[position];
    }
    std::string key(reinterpret_cast<const char*>(tag), length);
    auto it = byTag.find(key);
    size_t k;
    if (it != byTag.end()) k = it->second;
    else {
      k = series.size();
      byTag.emplace(key, k);
      series.emplace_back();
      series.back().tag = std::move(key);
    }
    if (position < hint.size()) hint[position] = k;
    else hint.push_back(k);
    return k;
  }
};

constexpr char PREFIX[] = "{\"kind\":\"scalars\",\"step\":";
constexpr char WALL_TIME[] = ",\"wall_time\":";
constexpr char VALUES[] = ",\"values\":{";

template <size_t N>
inline bool matches(const uint8_t* p, const uint8_t* end, const char (&s)[N]) {
  return size_t(end - p) >= N - 1 && std::memcmp(p, s, N - 1) == 0;
}

inline bool isDigit(uint8_t c) { return c >= '0' && c <= '9'; }

/**
 * The JSON number at p (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), its
 * value correctly rounded (std::from_chars); returns where it ends, or nullptr
 * when there is none, or when it is out of double's range (from_chars then
 * gives no value: the line goes to JSON.parse, which says ±Infinity or ±0).
 */
const uint8_t* readNumber(const uint8_t* p, const uint8_t* end, double& out) {
  const uint8_t* start = p;
  if (p < end && *p == '-') p++;
  if (p >= end) return nullptr;
  if (*p == '0') p++;
  else if (isDigit(*p)) {
    do p++;
    while (p < end && isDigit(*p));
  } else return nullptr;
  if (p < end && *p == '.') {
    p++;
    if (p >= end || !isDigit(*p)) return nullptr;
    do p++;
    while (p < end && isDigit(*p));
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (p >= end || !isDigit(*p)) return nullptr;
    do p++;
    while (p < end && isDigit(*p));
  }
  const char* first = reinterpret_cast<const char*>(start);
  const char* last = reinterpret_cast<const char*>(p);
  auto r = std::from_chars(first, last, out);
  if (r.ec != std::errc() || r.ptr != last) return nullptr;
  return p;
}

/** The quote closing the string whose contents start at p, or nullptr for an escape, a byte outside printable ASCII, or no quote before end. */
const uint8_t* stringEnd(const uint8_t* p, const uint8_t* end) {
  for (; p < end; p++) {
    uint8_t c = *p;
    if (c == '"') return p;
    if (c == '\\' || c < 0x20 || c > 0x7e) return nullptr;
  }
  return nullptr;
}

/** fromJsonNumber (metrics-jsonl.ts) of a string: "Infinity" and "-Infinity" are infinite, any other string NaN. */
double stringNumber(const uint8_t* p, size_t length) {
  if (length == 8 && std::memcmp(p, "Infinity", 8) == 0) return std::numeric_limits<double>::infinity();
  if (length == 9 && std::memcmp(p, "-Infinity", 9) == 0) return -std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

/** A tag that `for…in` would list out of the line's order: an array index ("0", "17"; "" too, as scalars-line.ts). */
bool isIndexLike(const uint8_t* p, const uint8_t* end) {
  for (; p < end; p++)
    if (!isDigit(*p)) return false;
  return true;
}

/**
 * Adds the line [p, end) (without its newline) to `scan` when it is a scalars
 * line in twin's exact form (scalars-line.ts scanScalarsLine); false, and
 * nothing added, otherwise.
 */
bool scanLine(const uint8_t* p, const uint8_t* end, Scan& scan, std::vector<Pending>& pending) {
  if (!matches(p, end, PREFIX)) return false;
  p += sizeof PREFIX - 1;
  double step, wallTime;
  if (!(p = readNumber(p, end, step))) return false;
  if (!matches(p, end, WALL_TIME)) return false;
  p += sizeof WALL_TIME - 1;
  if (!(p = readNumber(p, end, wallTime))) return false;
  if (!matches(p, end, VALUES)) return false;
  p += sizeof VALUES - 1;
  pending.clear();
  if (p < end && *p == '}') p++;
  else {
    for (;;) {
      if (p >= end || *p != '"') return false;
      const uint8_t* tag = p + 1;
      const uint8_t* q = stringEnd(tag, end);
      if (!q || isIndexLike(tag, q)) return false;
      size_t length = size_t(q - tag);
      for (const Pending& e : pending)
        if (e.length == length && std::memcmp(e.tag, tag, length) == 0) return false;
      p = q + 1;
      if (p >= end || *p != ':') return false;
      p++;
      double value;
      if (p < end && *p == '"') {
        q = stringEnd(p + 1, end);
        if (!q) return false;
        value = stringNumber(p + 1, size_t(q - p - 1));
        p = q + 1;
      } else if (!(p = readNumber(p, end, value))) return false;
      pending.push_back(Pending{tag, length, value});
      if (p < end && *p == ',') p++;
      else if (p < end && *p == '}') {
        p++;
        break;
      } else return false;
    }
  }
  if (p + 1 != end || *p != '}') return false;
  for (size_t k = 0; k < pending.size(); k++) scan.series[scan.find(k, pending[k].tag, pending[k].length)].add(step, pending[k].value);
  return true;
}

napi_value fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) return fail(env, "twin_scan: " #call " failed"); \
  } while (0)

/** A Float64Array of `values`, on `buffer` from byte `offset`. */
napi_value float64s(napi_env env, napi_value buffer, void* data, size_t offset, const std::vector<double>& values) {
  if (!values.empty()) std::memcpy(static_cast<uint8_t*>(data) + offset, values.data(), values.size() * sizeof(double));
  napi_value out;
  if (napi_create_typedarray(env, napi_float64_array, values.size(), buffer, offset, &out) != napi_ok) return nullptr;
  return out;
}

/**
 * scanScalars(bytes: Uint8Array, start: number, end: number): reads the
 * complete lines of bytes[start, end) from `start` while they are scalars
 * lines in twin's form. Returns [next, lines, tag, steps, values, increasing,
 * tag, …]: `next` the start of the first line not read (end when every line
 * was), `lines` the lines read, then per tag, in the order tags first came,
 * its points in line order as two Float64Arrays on one ArrayBuffer of their
 * own, and whether its steps increase.
 */
napi_value ScanScalars(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 3) return fail(env, "scanScalars(bytes, start, end): three arguments expected");
  bool isTypedArray = false;
  CHECK(napi_is_typedarray(env, argv[0], &isTypedArray));
  if (!isTypedArray) return fail(env, "scanScalars: bytes must be a Uint8Array");
  napi_typedarray_type type;
  size_t length;
  void* data;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr));
  if (type != napi_uint8_array) return fail(env, "scanScalars: bytes must be a Uint8Array");
  int64_t start, end;
  CHECK(napi_get_value_int64(env, argv[1], &start));
  CHECK(napi_get_value_int64(env, argv[2], &end));
  if (start < 0 || end < start || uint64_t(end) > length) return fail(env, "scanScalars: need 0 <= start <= end <= bytes.length");

  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  Scan scan;
  std::vector<Pending> pending;
  int64_t next = start, lines = 0;
  try {
    while (next < end) {
      const uint8_t* line = bytes + next;
      const uint8_t* newline = static_cast<const uint8_t*>(std::memchr(line, '\n', size_t(end - next)));
      if (!newline || !scanLine(line, newline, scan, pending)) break;
      next = newline + 1 - bytes;
      lines++;
    }
  } catch (const std::bad_alloc&) {
    return fail(env, "twin_scan: out of memory");
  }

  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 2 + 4 * scan.series.size(), &out));
  CHECK(napi_create_int64(env, next, &v));
  CHECK(napi_set_element(env, out, 0, v));
  CHECK(napi_create_int64(env, lines, &v));
  CHECK(napi_set_element(env, out, 1, v));
  uint32_t at = 2;
  for (const Series& s : scan.series) {
    CHECK(napi_create_string_latin1(env, s.tag.data(), s.tag.size(), &v));
    CHECK(napi_set_element(env, out, at++, v));
    size_t n = s.steps.size();
    void* memory;
    napi_value buffer;
    CHECK(napi_create_arraybuffer(env, 16 * n, &memory, &buffer));
    napi_value steps = float64s(env, buffer, memory, 0, s.steps);
    napi_value values = float64s(env, buffer, memory, 8 * n, s.values);
    if (!steps || !values) return fail(env, "twin_scan: napi_create_typedarray failed");
    CHECK(napi_set_element(env, out, at++, steps));
    CHECK(napi_set_element(env, out, at++, values));
    CHECK(napi_get_boolean(env, s.increasing, &v));
    CHECK(napi_set_element(env, out, at++, v));
  }
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "scanScalars", NAPI_AUTO_LENGTH, ScanScalars, nullptr, &fn) != napi_ok) return nullptr;
  if (napi_set_named_property(env, exports, "scanScalars", fn) != napi_ok) return nullptr;
  return exports;
}

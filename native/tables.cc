// The live-tensor and generator tables, and the dtype/layout name maps.
#include "twin.h"

#include <unordered_set>

namespace twin {

std::atomic<bool> strict_random{false};

TensorTable& tensors() {
  static TensorTable table;
  return table;
}

GeneratorTable& generators() {
  static GeneratorTable table;
  return table;
}

TensorTable::Slot* TensorTable::find(double id) {
  if (!(id >= 0) || id > 9007199254740991.0) return nullptr;
  int64_t i = static_cast<int64_t>(id);
  if (static_cast<double>(i) != id) return nullptr;
  size_t index = static_cast<size_t>(i & kIndexMask);
  int64_t generation = i >> kIndexBits;
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  if (!slot.live || slot.generation != generation) return nullptr;
  return &slot;
}

double TensorTable::add(at::Tensor t) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() > static_cast<size_t>(kIndexMask)) throw std::runtime_error("too many live tensors (16,777,215)");
    if (slots_.capacity() == 0) slots_.reserve(4096);
    index = slots_.size();
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.tensor = std::move(t);
  slot.live = true;
  ++live_;
  return static_cast<double>((static_cast<int64_t>(slot.generation) << kIndexBits) | static_cast<int64_t>(index));
}

at::Tensor TensorTable::get(double id, const char* what) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slot* slot = find(id);
  if (slot == nullptr) {
    throw std::runtime_error(std::string(what) + " is tensor #" + std::to_string(static_cast<int64_t>(id)) +
                             ", which was disposed (or never existed); keep it alive with keep() or "
                             "return it from the scope that created it");
  }
  return slot->tensor;
}

bool TensorTable::try_get(double id, at::Tensor& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slot* slot = find(id);
  if (slot == nullptr) return false;
  out = slot->tensor;
  return true;
}

bool TensorTable::has(double id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return find(id) != nullptr;
}

bool TensorTable::remove(double id) {
  at::Tensor doomed;  // released outside the lock: freeing memory can be slow
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot* slot = find(id);
    if (slot == nullptr) return false;
    doomed = std::move(slot->tensor);
    slot->tensor = at::Tensor();
    slot->live = false;
    --live_;
    // Retire a slot whose generation would overflow; otherwise reuse it.
    if (++slot->generation < kMaxGeneration) free_.push_back(static_cast<uint32_t>(slot - slots_.data()));
  }
  return true;
}

size_t TensorTable::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

size_t TensorTable::bytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::unordered_set<const void*> seen;
  size_t total = 0;
  for (auto& slot : slots_) {
    if (!slot.live) continue;
    const at::Tensor& t = slot.tensor;
    if (!t.defined() || !t.has_storage()) continue;
    const void* key = t.storage().unsafeGetStorageImpl();
    if (seen.insert(key).second) total += t.storage().nbytes();
  }
  return total;
}

double GeneratorTable::add(at::Generator g) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t id = next_++;
  generators_.emplace(id, std::move(g));
  return static_cast<double>(id);
}

at::Generator GeneratorTable::get(double id, const char* what) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = generators_.find(static_cast<int64_t>(id));
  if (it == generators_.end()) {
    throw std::runtime_error(std::string(what) + " is generator #" + std::to_string(static_cast<int64_t>(id)) +
                             ", which was disposed (or never existed)");
  }
  return it->second;
}

bool GeneratorTable::remove(double id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return generators_.erase(static_cast<int64_t>(id)) > 0;
}

size_t GeneratorTable::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return generators_.size();
}

namespace {
struct DtypeName {
  const char* name;
  c10::ScalarType type;
};
// The first name of each type is the one reported back to JS.
const DtypeName kDtypes[] = {
    {"float32", c10::kFloat},   {"float64", c10::kDouble},     {"float16", c10::kHalf},
    {"bfloat16", c10::kBFloat16}, {"int64", c10::kLong},       {"int32", c10::kInt},
    {"int16", c10::kShort},     {"int8", c10::kChar},          {"uint8", c10::kByte},
    {"bool", c10::kBool},       {"complex64", c10::kComplexFloat}, {"complex128", c10::kComplexDouble},
    {"float", c10::kFloat},     {"double", c10::kDouble},      {"half", c10::kHalf},
    {"long", c10::kLong},       {"int", c10::kInt},
};
}  // namespace

c10::ScalarType parse_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return d.type;
  }
  throw std::runtime_error("unknown dtype '" + name +
                           "'; use one of float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, "
                           "bool, complex64, complex128");
}

const char* dtype_name(c10::ScalarType t) {
  for (const auto& d : kDtypes) {
    if (d.type == t) return d.name;
  }
  return c10::toString(t);
}

c10::Layout parse_layout(const std::string& name) {
  if (name == "strided") return c10::kStrided;
  if (name == "sparse_coo") return c10::kSparse;
  throw std::runtime_error("unknown layout '" + name + "'; use 'strided' or 'sparse_coo'");
}

c10::MemoryFormat parse_memory_format(const std::string& name) {
  if (name == "contiguous_format" || name == "contiguous") return c10::MemoryFormat::Contiguous;
  if (name == "preserve_format" || name == "preserve") return c10::MemoryFormat::Preserve;
  if (name == "channels_last") return c10::MemoryFormat::ChannelsLast;
  if (name == "channels_last_3d") return c10::MemoryFormat::ChannelsLast3d;
  throw std::runtime_error("unknown memory format '" + name +
                           "'; use contiguous_format, preserve_format, channels_last or channels_last_3d");
}

std::string describe(const at::Tensor& t) {
  if (!t.defined()) return "Tensor(undefined)";
  std::string s = "Tensor[";
  auto sizes = t.sizes();
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(sizes[i]);
  }
  s += "] ";
  s += dtype_name(t.scalar_type());
  if (!t.device().is_cpu()) s += " " + t.device().str();
  return s;
}

void throw_type(const Napi::Env& env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

}  // namespace twin

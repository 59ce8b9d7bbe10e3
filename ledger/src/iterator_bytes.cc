#include "orgledger/ledger/iterator_bytes.h"

// GCC defines __SANITIZE_THREAD__ under -fsanitize=thread; clang answers __has_feature.
#if defined(__SANITIZE_THREAD__)
#define ORGLEDGER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ORGLEDGER_TSAN 1
#endif
#endif

#ifdef ORGLEDGER_TSAN
// TSan's dynamic annotations (compiler-rt's tsan_interface_ann): reads between the two calls, on
// this thread, are not checked, including those of the memcpy interceptor.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace orgledger::ledger {
namespace {

void copy_ignoring_reads(const rocksdb::Slice& bytes, std::string& buffer) {
#ifdef ORGLEDGER_TSAN
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  buffer.assign(bytes.data(), bytes.size());
#ifdef ORGLEDGER_TSAN
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
}

}  // namespace

std::string_view copy_key(const rocksdb::Iterator& it, std::string& buffer) {
  copy_ignoring_reads(it.key(), buffer);
  return buffer;
}

std::string_view copy_value(const rocksdb::Iterator& it, std::string& buffer) {
  copy_ignoring_reads(it.value(), buffer);
  return buffer;
}

std::string key_string(const rocksdb::Iterator& it) {
  std::string bytes;
  copy_ignoring_reads(it.key(), bytes);
  return bytes;
}

std::string value_string(const rocksdb::Iterator& it) {
  std::string bytes;
  copy_ignoring_reads(it.value(), bytes);
  return bytes;
}

}  // namespace orgledger::ledger

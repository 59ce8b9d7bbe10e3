#include "random.h"

#include <openssl/rand.h>

#include <climits>

#include "errors.h"

namespace orgledger::vault {
namespace {

class SystemRandom final : public Random {
 public:
  bool fill(std::span<std::uint8_t> out) override {
    if (out.size() > static_cast<std::size_t>(INT_MAX)) return false;
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
  }
};

}  // namespace

Random& system_random() {
  static SystemRandom random;
  return random;
}

std::expected<void, Error> draw(Random& random, std::span<std::uint8_t> out, const char* what) {
  if (!random.fill(out)) return fail(ErrorCode::io_error, std::string("no random bytes for ") + what);
  return {};
}

std::expected<std::string, Error> draw_string(Random& random, std::size_t size, const char* what) {
  std::string bytes(size, '\0');
  auto drawn = draw(random, {reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()}, what);
  if (!drawn) return std::unexpected(drawn.error());
  return bytes;
}

}  // namespace orgledger::vault

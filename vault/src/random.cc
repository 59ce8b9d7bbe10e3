#include "random.h"

#include "errors.h"

namespace orgledger::vault {

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

#include <quickstock/core/progress.hpp>

namespace quickstock::detail {

Progress*& thread_progress() noexcept {
  thread_local Progress* sink = nullptr;
  return sink;
}

}  // namespace quickstock::detail

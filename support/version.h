// The one tool version string, written into report.json, programs and logs.
#pragma once

namespace pfcomp {
inline constexpr const char *kToolVersion = "pfcomp 0.1.0";
}  // namespace pfcomp

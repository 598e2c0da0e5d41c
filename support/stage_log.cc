#include "support/stage_log.h"

#include "llvm/Support/FileSystem.h"

#include <glog/logging.h>

#include <string>

namespace pfcomp {

void initStageLog(const char *argv0, llvm::StringRef logDir, llvm::StringRef stage) {
  if (!google::IsGoogleLoggingInitialized()) google::InitGoogleLogging(argv0);
  bool toFiles = !logDir.empty() && !llvm::sys::fs::create_directories(logDir);
  if (!toFiles) {
    FLAGS_logtostderr = true;
    FLAGS_minloglevel = google::GLOG_WARNING;
    if (!logDir.empty()) LOG(WARNING) << "cannot create log directory " << logDir.str();
    return;
  }
  FLAGS_logtostderr = false;
  FLAGS_alsologtostderr = false;
  FLAGS_minloglevel = google::GLOG_INFO;
  FLAGS_stderrthreshold = google::GLOG_ERROR;
  for (int severity = google::GLOG_INFO; severity < google::NUM_SEVERITIES; ++severity) {
    std::string base = logDir.str() + "/codegen." + stage.str() + "." +
                       google::GetLogSeverityName(severity) + ".";
    google::SetLogDestination(severity, base.c_str());
    google::SetLogSymlink(severity, "");
  }
}

}  // namespace pfcomp

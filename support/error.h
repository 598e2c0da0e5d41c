// Errors with stable codes: every user-facing failure carries one, so scripts can match on it.
#pragma once

#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"

#include <string>

namespace pfcomp {

// Stable error codes. Never renumber; add new ones at the end of their block.
enum class ErrorCode {
  // 1xx: input model
  ModelNotFound = 101,
  ModelMalformed = 102,
  ModelCheckFailed = 103,
  UnsupportedOp = 104,
  DynamicShape = 105,
  BadInputShapeOption = 106,
  ShapeInference = 107,
  BadConstantInput = 108,
  // 2xx: options
  UnknownOption = 201,
  BadOptionValue = 202,
  BadOptionJson = 203,
  NotImplementedOption = 204,
  // 3xx: codegen_dir and stage files
  StageFileMissing = 301,
  StageFileCorrupt = 302,
  StageFailed = 303,
  OutputExists = 304,
  Io = 305,
  // 4xx: runtime
  InputCount = 401,
  InputShape = 402,
  InputDType = 403,
  InputFile = 404,
  OutputMismatch = 405,
  // 5xx: device and program
  LmOverflow = 501,
  LmUninitialized = 502,
  DramOutOfRange = 503,
  BadProgram = 504,
  HardwareDescriptor = 505,
  DeviceBusy = 506,
  DeviceReset = 507,
  UnknownDevice = 508,
  HostOpFailed = 509,
  L1bmViolation = 510,  // an L1BM read of bytes the reader's L1B did not store, or an L1BM overflow
  // 6xx: codegen-dashboard
  DashboardDirMissing = 601,
  DashboardReportMissing = 602,
  DashboardReportInvalid = 603,
  DashboardBindFailed = 604,
  // 9xx: internal
  Internal = 901,
};

// "E104" for UnsupportedOp.
std::string errorCodeName(ErrorCode code);

// A StringError whose message starts with the code: "[E104] unsupported op ...".
llvm::Error makeError(ErrorCode code, const llvm::Twine &message);

template <typename... Ts>
llvm::Error makeError(ErrorCode code, const char *fmt, Ts &&...vals) {
  return makeError(code, llvm::formatv(fmt, std::forward<Ts>(vals)...).str());
}

// Prints "TOOL: error: MESSAGE" for every error in `err` and returns exit code 1.
int reportErrorAndExit(llvm::StringRef tool, llvm::Error err);

// Exits through reportErrorAndExit when `value` holds an error.
template <typename T>
T exitOnError(llvm::StringRef tool, llvm::Expected<T> value) {
  if (!value) std::exit(reportErrorAndExit(tool, value.takeError()));
  return std::move(*value);
}
void exitOnError(llvm::StringRef tool, llvm::Error err);

}  // namespace pfcomp

// pfcomp: compiles MODEL.onnx into a codegen_dir by running the stage executables.
#include "compiler/driver/driver.h"
#include "support/error.h"

int main(int argc, char **argv) {
  auto request = pfcomp::driver::parseDriverArgs(argc, argv);
  if (!request) return pfcomp::reportErrorAndExit("pfcomp", request.takeError());
  if (!*request) return 0;  // --help
  if (auto err = pfcomp::driver::compile(**request, llvm::outs()))
    return pfcomp::reportErrorAndExit("pfcomp", std::move(err));
  return 0;
}

// pfvm: runs a codegen_dir on the emulated device.
//   pfvm run CODEGEN_DIR --inputs DIR [--outputs DIR] [--check] [--rtol=R] [--atol=A] [--profile]
//            [--device INDEX|NAME] [--wait] [--repeat N]
#include "runtime/device/profile.h"
#include "runtime/pfvm/codegen_run.h"
#include "runtime/pfvm/output_check.h"
#include "support/atomic_file.h"
#include "support/error.h"
#include "support/version.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>

using namespace pfcomp;

namespace {

struct Args {
  std::string dir, inputs, outputs, hardware, device;
  bool check = false, profile = false, unchecked = false, wait = false;
  int64_t repeat = 1, instr_delay_us = 0;
  double rtol = 1e-3, atol = 1e-4;
};

std::string inDir(const std::string &dir, const std::string &name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

void appendClog(const std::string &dir, const std::string &line) {
  std::error_code ec;
  llvm::raw_fd_ostream out(inDir(dir, "CLOG.log"), ec, llvm::sys::fs::OF_Append);
  if (ec) return;
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
  out << stamp << " pfvm[" << llvm::sys::Process::getProcessId() << "] " << line << "\n";
}

int run(const Args &args) {
  auto t0 = std::chrono::steady_clock::now();
  runtime::RunRequest request;
  request.codegen_dir = args.dir;
  request.inputs_dir = args.inputs;
  request.hardware = args.hardware;
  request.checked = !args.unchecked;
  request.device = args.device;
  request.wait = args.wait;
  request.repeat = args.repeat;
  request.instr_delay_us = args.instr_delay_us;
  request.keep_program = args.profile;
  auto result = runtime::runCodegenDir(request);
  if (!result) {
    llvm::Error err = result.takeError();
    if (llvm::sys::fs::is_directory(args.dir))
      err = llvm::handleErrors(std::move(err), [&](std::unique_ptr<llvm::ErrorInfoBase> info) {
        appendClog(args.dir, "E run failed: " + info->message());
        return llvm::Error(std::move(info));
      });
    return reportErrorAndExit("pfvm", std::move(err));
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (result->took_over_pid)
    llvm::errs() << "pfvm: note: took over the stale lock of dead pid " << result->took_over_pid << " on "
                 << result->device_name << "\n";
  std::string outDir = args.outputs.empty() ? inDir(args.dir, "outputs") : args.outputs;
  llvm::sys::fs::create_directories(outDir);
  bool allPass = true;
  for (size_t i = 0; i < result->outputs.size(); ++i) {
    const runtime::HostTensor &out = result->outputs[i];
    std::string name = "output_" + std::to_string(i) + ".pb";
    if (auto err = runtime::writeTensorFile(out, inDir(outDir, name))) return reportErrorAndExit("pfvm", std::move(err));
    llvm::outs() << llvm::formatv("output {0} '{1}': {2} {3}", i, result->output_names[i],
                                  runtime::dtypeText(out.dtype), out.shapeText());
    if (args.check) {
      auto expected = runtime::readTensorFile(inDir(args.inputs, name));
      if (!expected) return reportErrorAndExit("pfvm", expected.takeError());
      runtime::takeUint16AsBfloat16(*expected, out.dtype);
      auto c = runtime::checkTensor(out, *expected, args.rtol, args.atol);
      allPass &= c.pass;
      if (!c.problem.empty())
        llvm::outs() << "  FAIL (" << c.problem << ")";
      else
        llvm::outs() << llvm::formatv("  max abs err {0:e3}, max rel err {1:e3}, {2} mismatches{3}  {4}",
                                      c.max_abs, c.max_rel, c.mismatches,
                                      c.nonfinite ? llvm::formatv(" ({0} NaN or infinite)", c.nonfinite).str() : "",
                                      c.pass ? "PASS" : "FAIL");
    }
    llvm::outs() << "\n";
  }
  const auto &stats = result->stats;
  double us = stats.cycles * 1e6 / result->clock_hz;
  llvm::outs() << llvm::formatv(
      "device time: {0:f3} us ({1} cycles at {2} MHz); predicted by the compiler: {3} cycles{4}\n",
      us, stats.cycles, result->clock_hz / 1e6, result->predicted_cycles,
      stats.cycles == result->predicted_cycles ? " (equal)" : " (DIFFERENT)");
  llvm::outs() << llvm::formatv("  {0} instructions, DMA busy {1} cycles, PE array busy {2} cycles; "
                                "emulator wall time {3:f3} s\n",
                                stats.instructions, stats.timeline.dma_busy, stats.timeline.pe_busy, wall);
  if (args.repeat > 1)
    llvm::outs() << llvm::formatv("  steady state: fastest of {0} runs {1:f4} s (inputs staged and run, program "
                                  "loaded)\n", args.repeat, result->fastest_run_s);
  if (args.profile) {
    if (auto err = writeFileAtomically(inDir(args.dir, "profile.json"),
                                       device::profileJson(result->program, stats.timeline, result->hardware).dump(1)))
      return reportErrorAndExit("pfvm", std::move(err));
    if (auto err = writeFileAtomically(inDir(args.dir, "trace.json"),
                                       device::traceJson(result->program, stats.timeline, result->hardware).dump()))
      return reportErrorAndExit("pfvm", std::move(err));
    llvm::outs() << "profile: " << inDir(args.dir, "profile.json") << ", " << inDir(args.dir, "trace.json") << "\n";
  }
  appendClog(args.dir, llvm::formatv("I run ok on {4}: {0} cycles, {1} instructions, wall {2:f3} s{3}", stats.cycles,
                                     stats.instructions, wall,
                                     args.check ? (allPass ? ", check PASS" : ", check FAIL") : "", result->device_name).str());
  if (!allPass)
    llvm::errs() << "pfvm: error: [" << errorCodeName(ErrorCode::OutputMismatch)
                 << "] outputs differ from the reference beyond rtol=" << args.rtol << " atol=" << args.atol << "\n";
  // Everything is written: release the device's lock and exit with its memory still mapped.
  // The kernel unmaps it at once, where tearing it down here takes milliseconds (as clang's
  // -disable-free skips freeing at exit).
  result->context->releaseLock();
  llvm::outs().flush();
  llvm::sys::Process::Exit(allPass ? 0 : 1, /*NoCleanup=*/true);
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"pfvm: run a codegen_dir on the emulated gpfn3 device (" + std::string(kToolVersion) + ")"};
  app.require_subcommand(1);
  Args args;
  CLI::App *runCmd = app.add_subcommand("run", "load CODEGEN_DIR's program, run it on inputs, write outputs");
  runCmd->add_option("codegen_dir", args.dir, "codegen_dir made by pfcomp")->required();
  runCmd->add_option("--inputs", args.inputs, "folder with input_0.pb, input_1.pb, ... (ONNX TensorProto)")->required();
  runCmd->add_option("--outputs", args.outputs, "where output_N.pb are written (default CODEGEN_DIR/outputs)");
  runCmd->add_flag("--check", args.check, "compare with output_N.pb in the --inputs folder");
  runCmd->add_option("--rtol", args.rtol, "relative tolerance for --check")->capture_default_str();
  runCmd->add_option("--atol", args.atol, "absolute tolerance for --check")->capture_default_str();
  runCmd->add_flag("--profile", args.profile, "write profile.json and trace.json of the run into CODEGEN_DIR");
  runCmd->add_option("--hardware", args.hardware, "hardware descriptor JSON (default: built-in MN-Core 2)");
  runCmd->add_flag("--unchecked", args.unchecked, "skip LM validity tracking (faster)");
  runCmd->add_option("--device", args.device, "device index or name (default: the first idle device; see gpfn3-smi list)");
  runCmd->add_flag("--wait", args.wait, "wait for a busy device instead of failing with E506");
  runCmd->add_option("--repeat", args.repeat,
                     "run the program this many times on the same inputs and print the fastest run "
                     "(steady state: the program stays loaded)");
  runCmd->add_option("--instr-delay-us", args.instr_delay_us, "sleep after each instruction")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    llvm::errs() << "pfvm: error: [" << errorCodeName(ErrorCode::BadOptionValue) << "] " << e.what() << "\n";
    return 2;
  }
  return run(args);
}

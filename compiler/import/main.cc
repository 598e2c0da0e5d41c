// onnx-import: MODEL.onnx -o DIR/mngraph.import.pb [options] (see docs/CONTRACT.md).
#include "compiler/import/importer.h"
#include "compiler/options/options.h"
#include "support/error.h"
#include "support/stage_log.h"

#include <glog/logging.h>

int main(int argc, char **argv) {
  const char *tool = "onnx-import";
  auto inv = pfcomp::exitOnError(
      tool, pfcomp::options::parseStageArgs(
                tool,
                "Reads an ONNX model, infers static shapes, folds constants, rewrites it to the "
                "device op set and writes the MNGraph (plus <output>.txt, a text dump).",
                argc, argv));
  pfcomp::initStageLog(argv[0], inv.log_dir, "import");

  pfcomp::import::ImportOptions options;
  options.float_dtype = inv.options.float_dtype;
  options.input_shapes = inv.options.input_shapes;
  options.constant_inputs = inv.options.constant_inputs;
  options.out_onnx = inv.options.out_onnx;
  LOG(INFO) << "importing " << inv.input << " -> " << inv.output << " (float_dtype "
            << options.float_dtype << ")";
  pfcomp::exitOnError(tool, pfcomp::import::runImport(inv.input, inv.output, options));
  LOG(INFO) << "wrote " << inv.output;
  return 0;
}

#include "compiler/import/import_options.h"

#include "support/error.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace pfcomp::import {

llvm::Expected<std::pair<std::string, std::vector<int64_t>>> parseInputShape(llvm::StringRef spec) {
  size_t cut = spec.rfind('=');
  if (cut == llvm::StringRef::npos) cut = spec.rfind(':');
  auto bad = [&] {
    return makeError(ErrorCode::BadInputShapeOption,
                     "--input_shape={0}: expected NAME=AxB (e.g. input=1x3x224x224)", spec);
  };
  if (cut == llvm::StringRef::npos || cut == 0) return bad();
  llvm::StringRef name = spec.take_front(cut).trim(), dims = spec.drop_front(cut + 1).trim();
  llvm::SmallVector<llvm::StringRef, 8> parts;
  dims.split(parts, dims.contains(',') ? ',' : 'x');
  std::vector<int64_t> shape;
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 0) return bad();
    shape.push_back(d);
  }
  if (dims.empty()) shape.clear();  // NAME= : a scalar
  return std::make_pair(name.str(), shape);
}

}  // namespace pfcomp::import

#include "tools/dashboard/codegen_dir.h"

#include "support/error.h"

#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pfcomp::dashboard {
namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The real path of `p`, or "" when it does not exist.
std::string realPath(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return "";
  return buf;
}

bool inside(const std::string &root, const std::string &real) {
  return real.size() > root.size() && real.compare(0, root.size(), root) == 0 &&
         real[root.size()] == '/';
}

llvm::Expected<std::string> decompress(const std::string &data, const std::string &path) {
  std::string out;
  ZSTD_DStream *ds = ZSTD_createDStream();
  ZSTD_initDStream(ds);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::vector<char> chunk(ZSTD_DStreamOutSize());
  size_t ret = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    ret = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(ret)) {
      ZSTD_freeDStream(ds);
      return makeError(ErrorCode::StageFileCorrupt, "{0}: not a valid zstd file ({1})", path,
                       ZSTD_getErrorName(ret));
    }
    out.append(chunk.data(), o.pos);
  }
  ZSTD_freeDStream(ds);
  if (ret != 0)
    return makeError(ErrorCode::StageFileCorrupt, "{0}: truncated zstd file", path);
  return out;
}

}  // namespace

llvm::Expected<std::string> readMaybeZst(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::Io, "{0}: cannot read", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (endsWith(path, ".zst")) return decompress(ss.str(), path);
  return ss.str();
}

llvm::Expected<CodegenDir> CodegenDir::open(const std::string &path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    return makeError(ErrorCode::DashboardDirMissing, "{0}: not a directory (expected a codegen_dir "
                     "written by pfcomp)", path);
  CodegenDir dir;
  dir.root_ = realPath(path);
  std::string report = dir.root_ + "/report.json";
  if (!fs::is_regular_file(report, ec)) report += ".zst";
  if (!fs::is_regular_file(report, ec))
    return makeError(ErrorCode::DashboardReportMissing,
                     "{0}: no report.json (not a codegen_dir, or its compile did not finish)", path);
  auto text = readMaybeZst(report);
  if (!text)
    return makeError(ErrorCode::DashboardReportInvalid, "{0}: {1}", report,
                     llvm::toString(text.takeError()));
  try {
    dir.report_ = nlohmann::json::parse(*text);
  } catch (const std::exception &e) {
    return makeError(ErrorCode::DashboardReportInvalid, "{0}: invalid JSON: {1}", report, e.what());
  }
  if (!dir.report_.is_object())
    return makeError(ErrorCode::DashboardReportInvalid, "{0}: expected a JSON object", report);
  return dir;
}

std::vector<DirFile> CodegenDir::files() const {
  std::vector<DirFile> out;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(root_, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;  // follows symlinks; checked below
    std::string real = realPath(it->path().string());
    if (real.empty() || !inside(root_, real)) continue;
    DirFile f;
    f.stored = it->path().lexically_relative(root_).generic_string();
    f.zst = endsWith(f.stored, ".zst");
    f.name = f.zst ? f.stored.substr(0, f.stored.size() - 4) : f.stored;
    f.bytes = it->file_size(ec);
    out.push_back(f);
  }
  std::sort(out.begin(), out.end(), [](const DirFile &a, const DirFile &b) { return a.name < b.name; });
  return out;
}

Refusal CodegenDir::resolve(const std::string &request, DirFile &out) const {
  if (request.empty() || request[0] == '/') return Refusal::Forbidden;
  if (request.find('\\') != std::string::npos || request.find('\0') != std::string::npos)
    return Refusal::Forbidden;
  std::stringstream ss(request);
  std::string seg;
  while (std::getline(ss, seg, '/'))
    if (seg.empty() || seg == "." || seg == "..") return Refusal::Forbidden;
  if (request.back() == '/') return Refusal::Forbidden;

  for (const std::string &stored : {request, request + ".zst"}) {
    std::string full = root_ + "/" + stored;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(full, ec))) continue;
    std::string real = realPath(full);
    if (real.empty()) return Refusal::NotFound;  // dangling link
    if (!inside(root_, real)) return Refusal::Forbidden;
    if (!fs::is_regular_file(real, ec)) return Refusal::NotFound;
    out.stored = stored;
    out.zst = endsWith(stored, ".zst");
    out.name = out.zst ? stored.substr(0, stored.size() - 4) : stored;
    out.bytes = fs::file_size(real, ec);
    return Refusal::None;
  }
  return Refusal::NotFound;
}

llvm::Expected<std::string> CodegenDir::read(const DirFile &file, bool raw) const {
  std::string full = root_ + "/" + file.stored;
  if (raw && file.zst) {
    std::ifstream in(full, std::ios::binary);
    if (!in) return makeError(ErrorCode::Io, "{0}: cannot read", full);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return readMaybeZst(full);
}

}  // namespace pfcomp::dashboard

#include "tools/dashboard/assets.h"

#include <iterator>

namespace pfcomp::dashboard {
namespace {

const Asset kAssets[] = {
#include "tools/dashboard/assets.inc"
};

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

const Asset *findAsset(std::string_view name) {
  for (const Asset &a : kAssets)
    if (a.name == name) return &a;
  return nullptr;
}

std::string_view mimeType(std::string_view name) {
  if (endsWith(name, ".html")) return "text/html; charset=utf-8";
  if (endsWith(name, ".css")) return "text/css; charset=utf-8";
  if (endsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (endsWith(name, ".json")) return "application/json";
  if (endsWith(name, ".svg")) return "image/svg+xml";
  if (endsWith(name, ".png")) return "image/png";
  if (endsWith(name, ".onnx") || endsWith(name, ".pb") || endsWith(name, ".gpfnapp") ||
      endsWith(name, ".bin") || endsWith(name, ".zst"))
    return "application/octet-stream";
  return "text/plain; charset=utf-8";  // .txt, .log, glog files without an extension
}

}  // namespace pfcomp::dashboard

// The pages' HTML, CSS and JS, compiled into the binary (see BUILD's embedded_assets).
#pragma once

#include <string_view>

namespace pfcomp::dashboard {

struct Asset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view body;
};

// nullptr when no asset has that name.
const Asset *findAsset(std::string_view name);

// MIME type from a file name's extension ("text/plain; charset=utf-8" for logs and dumps).
std::string_view mimeType(std::string_view name);

}  // namespace pfcomp::dashboard

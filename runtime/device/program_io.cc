#include "runtime/device/program_io.h"

#include "support/atomic_file.h"
#include "support/error.h"

#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <climits>
#include <string>
#include <thread>
#include <vector>

namespace pfcomp::device {

namespace {

bool readVarint(const uint8_t *&p, const uint8_t *end, uint64_t &v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const uint8_t byte = *p++;
    v |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

void writeVarint(std::string &out, uint64_t v) {
  while (v >= 0x80) out.push_back(static_cast<char>((v & 0x7f) | 0x80)), v >>= 7;
  out.push_back(static_cast<char>(v));
}

// Walks the fields of a serialised message: fn(field number, field bytes [start, end), payload
// of a length-delimited field [pstart, pend)). False on input that is not a message.
template <typename Fn>
bool forEachField(const uint8_t *p, const uint8_t *end, Fn fn) {
  while (p < end) {
    const uint8_t *start = p;
    uint64_t key, v;
    if (!readVarint(p, end, key)) return false;
    const uint8_t *payload = p;
    switch (key & 7) {
      case 0: if (!readVarint(p, end, v)) return false; break;
      case 1: p += 8; break;
      case 5: p += 4; break;
      case 2:
        if (!readVarint(p, end, v) || v > static_cast<uint64_t>(end - p)) return false;
        payload = p;
        p += v;
        break;
      default: return false;  // groups: not in proto3
    }
    if (p > end) return false;
    fn(static_cast<int>(key >> 3), start, p, payload);
  }
  return true;
}

// The program's bytes without the parameter payloads (Buffer.data), and where those are.
bool stripParameters(const uint8_t *p, const uint8_t *end, std::string &out,
                     std::vector<std::pair<const uint8_t *, size_t>> &data) {
  bool ok = true;
  ok &= forEachField(p, end, [&](int field, const uint8_t *start, const uint8_t *stop, const uint8_t *payload) {
    if (field != Program::kBuffersFieldNumber) {
      out.append(reinterpret_cast<const char *>(start), stop - start);
      return;
    }
    std::string buffer;
    std::pair<const uint8_t *, size_t> span{nullptr, 0};
    ok &= forEachField(payload, stop, [&](int f, const uint8_t *s, const uint8_t *e, const uint8_t *pl) {
      if (f == Buffer::kDataFieldNumber) span = {pl, static_cast<size_t>(e - pl)};
      else buffer.append(reinterpret_cast<const char *>(s), e - s);
    });
    writeVarint(out, (uint64_t(Program::kBuffersFieldNumber) << 3) | 2);
    writeVarint(out, buffer.size());
    out += buffer;
    data.push_back(span);
  });
  return ok;
}

}  // namespace

llvm::Expected<ProgramFile> readProgramFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(ErrorCode::StageFileMissing, "cannot read {0}: {1}", path, buffer.getError().message());
  ProgramFile out;
  out.file = std::move(*buffer);
  llvm::StringRef bytes = out.file->getBuffer();
  auto corrupt = [&] { return makeError(ErrorCode::StageFileCorrupt, "{0}: not a valid GPFNApp program", path); };
  if (bytes.size() > INT_MAX) return corrupt();
  // Parse all but the parameter payloads; those stay in the mapped file.
  const auto *begin = reinterpret_cast<const uint8_t *>(bytes.data());
  std::string rest;
  std::vector<std::pair<const uint8_t *, size_t>> data;
  Program &program = out.program;
  if (!stripParameters(begin, begin + bytes.size(), rest, data) || !program.ParseFromString(rest) ||
      program.buffers_size() != static_cast<int>(data.size())) {
    program.Clear();
    if (!program.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return corrupt();
    data.clear();
  }
  if (program.tool_version().empty()) return corrupt();
  out.params.resize(program.buffers_size());
  for (size_t i = 0; i < data.size(); ++i)
    if (data[i].first) out.params[i] = {reinterpret_cast<const char *>(data[i].first), data[i].second};
  return std::move(out);
}

llvm::Expected<Program> readProgram(llvm::StringRef path) {
  auto file = readProgramFile(path);
  if (!file) return file.takeError();
  Program &program = file->program;
  // Largest first, each to the thread with less so far (the copy is mostly page faults).
  const std::vector<llvm::StringRef> &data = file->params;
  std::vector<size_t> order(data.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data[a].size() > data[b].size(); });
  std::vector<size_t> mine[2];
  size_t load[2] = {0, 0};
  for (size_t i : order) {
    if (data[i].empty()) continue;
    const int t = load[0] <= load[1] ? 0 : 1;
    mine[t].push_back(i);
    load[t] += data[i].size();
  }
  auto fill = [&](int t) {
    for (size_t i : mine[t]) program.mutable_buffers(i)->mutable_data()->assign(data[i].data(), data[i].size());
  };
  std::thread helper(fill, 1);
  fill(0);
  helper.join();
  return std::move(program);
}

llvm::Error writeProgram(const Program &program, llvm::StringRef path) {
  std::string bytes;
  if (!program.SerializeToString(&bytes))
    return makeError(ErrorCode::Internal, "cannot serialise the program for {0}", path);
  return writeFileAtomically(path, bytes);
}

}  // namespace pfcomp::device

// Times onnxruntime-node (one thread) on a model and its backend-test inputs.
//
// Usage: node bench/ort_time.js MODEL.onnx DATA_DIR [N] [--opt=all|extended|basic|disabled]
// DATA_DIR holds input_0.pb, input_1.pb, ... (ONNX TensorProto, float32, graph-input order),
// as written by tools/make_real_models.py. Loads the model, runs it once to warm up, then
// times N runs (default 10) and prints one line of JSON:
//   {"model", "runs", "opt", "min_ms", "median_ms", "mean_ms", "load_ms", "max_abs_diff_vs_output_0"}
// (the last compares the warm-up run's first output with DATA_DIR/output_0.pb, if present).
// Session options: intraOpNumThreads 1, interOpNumThreads 1, sequential; graph optimization
// level `all` (onnxruntime's default) unless --opt says otherwise.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

// Minimal TensorProto reader: dims (1), data_type (2), float_data (4), name (8), raw_data (9).
function readVarint(buf, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
}

function readTensor(file) {
  const buf = fs.readFileSync(file);
  const tensor = {dims: [], dataType: 0, name: '', raw: null, floats: []};
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      if (field === 1) tensor.dims.push(v);
      else if (field === 2) tensor.dataType = v;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      const body = buf.subarray(pos, pos + len);
      pos += len;
      if (field === 1) {  // packed dims
        for (let p = 0; p < body.length;) {
          let v;
          [v, p] = readVarint(body, p);
          tensor.dims.push(v);
        }
      } else if (field === 4) {  // packed float_data
        for (let p = 0; p + 4 <= body.length; p += 4) tensor.floats.push(body.readFloatLE(p));
      } else if (field === 8) {
        tensor.name = body.toString('utf8');
      } else if (field === 9) {
        tensor.raw = body;
      }
    } else if (wire === 5) {
      if (field === 4) tensor.floats.push(buf.readFloatLE(pos));
      pos += 4;
    } else if (wire === 1) {
      pos += 8;
    } else {
      throw new Error(`${file}: unsupported protobuf wire type ${wire}`);
    }
  }
  if (tensor.dataType !== 1) throw new Error(`${file}: data_type ${tensor.dataType}, want FLOAT (1)`);
  let data;
  if (tensor.raw) {
    data = new Float32Array(tensor.raw.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = tensor.raw.readFloatLE(i * 4);
  } else {
    data = Float32Array.from(tensor.floats);
  }
  return new ort.Tensor('float32', data, tensor.dims);
}

async function main() {
  const args = process.argv.slice(2);
  let opt = 'all';
  const positional = [];
  for (const a of args) {
    if (a.startsWith('--opt=')) opt = a.slice(6);
    else positional.push(a);
  }
  if (positional.length < 2 || positional.length > 3) {
    console.error('usage: node bench/ort_time.js MODEL.onnx DATA_DIR [N] [--opt=all|extended|basic|disabled]');
    process.exit(2);
  }
  const [model, dataDir] = positional;
  const runs = positional.length === 3 ? parseInt(positional[2], 10) : 10;
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: opt,
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = {};
  session.inputNames.forEach((name, i) => {
    feeds[name] = readTensor(path.join(dataDir, `input_${i}.pb`));
  });
  // Warm-up, and a check that the inputs were read right: compare with output_0.pb if present.
  const warm = await session.run(feeds);
  let maxAbsDiff = null;
  const refFile = path.join(dataDir, 'output_0.pb');
  if (fs.existsSync(refFile)) {
    const ref = readTensor(refFile).data;
    const got = warm[session.outputNames[0]].data;
    if (ref.length !== got.length) throw new Error(`output 0 has ${got.length} values, reference ${ref.length}`);
    maxAbsDiff = 0;
    for (let i = 0; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[i] - got[i]));
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const round = (x) => Math.round(x * 1000) / 1000;
  console.log(JSON.stringify({model, runs, opt, min_ms: round(sorted[0]), median_ms: round(median),
                              mean_ms: round(mean), load_ms: round(loadMs),
                              max_abs_diff_vs_output_0: maxAbsDiff}));
}

main().catch((err) => {
  console.error(`ort_time: error: ${err.message || err}`);
  process.exit(1);
});

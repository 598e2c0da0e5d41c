"""Model families as users bring them, beyond torchvision's classifiers, for make_real_models.py:
each exercises op patterns the others lack (random weights; fixed seeds)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class StyleTransfer(nn.Module):
    """Fast neural style: reflection padding, InstanceNorm on whole planes (wider than one PE's
    LM), residual blocks, a strided ConvTranspose and nearest upsampling, tanh."""

    def __init__(self):
        super().__init__()

        def block(cin, cout, k, stride):
            return nn.Sequential(nn.ReflectionPad2d(k // 2), nn.Conv2d(cin, cout, k, stride),
                                 nn.InstanceNorm2d(cout, affine=True), nn.ReLU())
        self.enc = nn.Sequential(block(3, 16, 9, 1), block(16, 32, 3, 2), block(32, 64, 3, 2))
        self.res = nn.ModuleList(
            nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(64, 64, 3),
                          nn.InstanceNorm2d(64, affine=True)) for _ in range(2))
        self.up1 = nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1)
        self.norm1 = nn.InstanceNorm2d(32, affine=True)
        self.up2 = block(32, 16, 3, 1)
        self.out = nn.Conv2d(16, 3, 9, padding=4)

    def forward(self, x):                                   # [1,3,64,64]
        y = self.enc(x)
        for r in self.res:
            y = y + r(y)
        y = F.relu(self.norm1(self.up1(y)))
        y = self.up2(F.interpolate(y, scale_factor=2, mode="nearest"))
        return torch.tanh(self.out(y))


class YoloTiny(nn.Module):
    """A YOLOv5-like detector: SiLU conv blocks, SPPF (three chained 5x5 stride-1 max pools),
    an upsampled lateral path, and decoding heads (view, permute, sigmoid, split, pow)."""

    def __init__(self):
        super().__init__()

        def conv(cin, cout, k=1, stride=1):
            return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                                 nn.BatchNorm2d(cout), nn.SiLU())
        self.b1, self.b2 = conv(3, 16, 3, 2), conv(16, 32, 3, 2)
        self.b3, self.b4 = conv(32, 64, 3, 2), conv(64, 128, 3, 2)
        self.sppf_in, self.sppf_out = conv(128, 64), conv(256, 128)
        self.lateral, self.fuse = conv(128, 64), conv(128, 64, 3)
        self.det_small, self.det_large = nn.Conv2d(64, 27, 1), nn.Conv2d(128, 27, 1)

    def forward(self, x):                                   # [1,3,128,128]
        p3 = self.b3(self.b2(self.b1(x)))
        p4 = self.b4(p3)
        y = self.sppf_in(p4)
        m1 = F.max_pool2d(y, 5, 1, 2)
        m2 = F.max_pool2d(m1, 5, 1, 2)
        m3 = F.max_pool2d(m2, 5, 1, 2)
        p4 = self.sppf_out(torch.cat([y, m1, m2, m3], 1))
        up = F.interpolate(self.lateral(p4), scale_factor=2.0, mode="nearest")
        p3 = self.fuse(torch.cat([up, p3], 1))
        outs = []
        for head, p in ((self.det_small, p3), (self.det_large, p4)):
            o = head(p)
            b, _, h, w = o.shape
            o = o.view(b, 3, 9, h, w).permute(0, 1, 3, 4, 2).sigmoid()
            xy, wh, conf = o.split((2, 2, 5), 4)
            outs.append(torch.cat([xy * 2 - 0.5, (wh * 2) ** 2, conf], 4).view(b, -1, 9))
        return torch.cat(outs, 1)                           # [1,960,9]


class AudioEncoder(nn.Module):
    """A wav2vec-like encoder on raw audio: strided Conv1d feature extractor with GroupNorm
    (exported as InstanceNormalization on a reshaped tensor), GELU, a Transformer layer, mean
    pooling."""

    def __init__(self):
        super().__init__()
        self.c1, self.gn, self.c2 = nn.Conv1d(1, 64, 10, 5), nn.GroupNorm(64, 64), nn.Conv1d(64, 64, 3, 2)
        self.proj, self.ln = nn.Linear(64, 96), nn.LayerNorm(96)
        layer = nn.TransformerEncoderLayer(96, 4, 192, activation="gelu", batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(96, 12)

    def forward(self, x):                                   # [1,1,4000]
        y = F.gelu(self.gn(self.c1(x)))
        y = F.gelu(self.c2(y)).transpose(1, 2)
        return self.head(self.enc(self.ln(self.proj(y))).mean(1))


class HfBert(nn.Module):
    """BERT as Hugging Face writes it: token ids and an attention mask (two int64 inputs),
    position and token-type embeddings, the extended additive mask (1 - mask) * finfo.min,
    explicit attention, a tanh pooler on the first token."""

    def __init__(self, vocab=2000, d=128, heads=4, layers=2):
        super().__init__()
        self.d, self.h = d, heads
        self.tok, self.pos, self.typ = nn.Embedding(vocab, d), nn.Embedding(512, d), nn.Embedding(2, d)
        self.ln = nn.LayerNorm(d)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(
            q=nn.Linear(d, d), k=nn.Linear(d, d), v=nn.Linear(d, d), o=nn.Linear(d, d),
            ln1=nn.LayerNorm(d), f1=nn.Linear(d, 4 * d), f2=nn.Linear(4 * d, d),
            ln2=nn.LayerNorm(d))) for _ in range(layers))
        self.pool, self.cls = nn.Linear(d, d), nn.Linear(d, 3)

    def forward(self, ids, mask):                           # [1,S] int64 each
        b, s = ids.shape
        pos = torch.arange(s, dtype=torch.long).unsqueeze(0).expand(b, s)
        x = self.ln(self.tok(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids)))
        ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        hd = self.d // self.h
        for layer in self.layers:
            def heads(t):
                return t.view(b, s, self.h, hd).permute(0, 2, 1, 3)
            q, k, v = heads(layer["q"](x)), heads(layer["k"](x)), heads(layer["v"](x))
            a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + ext, dim=-1)
            c = torch.matmul(a, v).permute(0, 2, 1, 3).contiguous().view(b, s, self.d)
            x = layer["ln1"](x + layer["o"](c))
            x = layer["ln2"](x + layer["f2"](F.gelu(layer["f1"](x))))
        return self.cls(torch.tanh(self.pool(x[:, 0])))


class T5Attention(nn.Module):
    """T5-style attention with relative position buckets: the bucket arithmetic (abs, log,
    min, where on integer positions) is computed from shapes only, then an embedding lookup."""

    def __init__(self, buckets=32, max_distance=128, heads=4, d=64, vocab=500):
        super().__init__()
        self.buckets, self.max_distance, self.h = buckets, max_distance, heads
        self.rel, self.emb = nn.Embedding(buckets, heads), nn.Embedding(vocab, d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)

    def bucket(self, rel):
        half = self.buckets // 2
        ret = (rel > 0).to(torch.long) * half
        n = torch.abs(rel)
        exact = half // 2
        large = exact + (torch.log(n.float() / exact) / math.log(self.max_distance / exact)
                         * (half - exact)).to(torch.long)
        large = torch.min(large, torch.full_like(large, half - 1))
        return ret + torch.where(n < exact, n, large)

    def forward(self, ids):                                 # [1,S] int64
        s = ids.shape[1]
        rel = torch.arange(s, dtype=torch.long)[None, :] - torch.arange(s, dtype=torch.long)[:, None]
        bias = self.rel(self.bucket(rel)).permute(2, 0, 1).unsqueeze(0)
        x = self.emb(ids)
        b = x.shape[0]

        def heads(t):
            return t.view(b, s, self.h, -1).transpose(1, 2)
        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        a = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)
        return (a @ v).transpose(1, 2).reshape(b, s, -1)

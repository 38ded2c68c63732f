# PyTorch reference for the bundled model's masked-LM recipe (recipe study, not part of the product):
# the same post-LN BERT, masking (15%, 80/10/10), AdamW, warm-up + linear decay and clipping as
# scripts/pretrain-bundled.ts, on the same tokenised rows (data/pretrain/<name>/rows-*.bin), so a plateau
# can be told apart from an engine fault. Usage: /usr/bin/python3 torch-reference.py ROWS.bin HIDDEN LAYERS HEADS STEPS
import sys, time, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2); torch.manual_seed(0)
a = np.fromfile(sys.argv[1], dtype=np.int32); n = a[0]; rows = []; i = 1
for _ in range(n):
    L = a[i]; rows.append(a[i+1:i+1+L]); i += 1 + L
rows = [r for r in rows if len(r) == 128]; data = torch.tensor(np.stack(rows), dtype=torch.long)
V, H, NL, NH, T, B = 16000, int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), 128, 32
class Layer(nn.Module):
    def __init__(s):
        super().__init__(); s.q, s.k, s.v, s.o = (nn.Linear(H, H) for _ in range(4)); s.ln1 = nn.LayerNorm(H, eps=1e-12)
        s.i = nn.Linear(H, 4*H); s.out = nn.Linear(4*H, H); s.ln2 = nn.LayerNorm(H, eps=1e-12)
    def forward(s, x):
        b, t, _ = x.shape; d = H // NH
        sp = lambda z: z.view(b, t, NH, d).transpose(1, 2)
        att = torch.softmax(sp(s.q(x)) @ sp(s.k(x)).transpose(-1, -2) / math.sqrt(d), -1) @ sp(s.v(x))
        x = s.ln1(x + s.o(att.transpose(1, 2).reshape(b, t, H)))
        return s.ln2(x + s.out(F.gelu(s.i(x))))
class Bert(nn.Module):
    def __init__(s):
        super().__init__(); s.w = nn.Embedding(V, H); s.p = nn.Embedding(T, H); s.tt = nn.Embedding(2, H); s.ln = nn.LayerNorm(H, eps=1e-12)
        s.layers = nn.ModuleList(Layer() for _ in range(NL)); s.tr = nn.Linear(H, H); s.tln = nn.LayerNorm(H, eps=1e-12); s.bias = nn.Parameter(torch.zeros(V))
        for m in s.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)): nn.init.normal_(m.weight, 0, 0.02)
            if isinstance(m, nn.Linear): nn.init.zeros_(m.bias)
        with torch.no_grad(): s.w.weight[0].zero_()
    def forward(s, ids, pos):
        x = s.ln(s.w(ids) + s.p.weight[None, :ids.shape[1]] + s.tt.weight[0])
        for l in s.layers: x = l(x)
        h = x.reshape(-1, H)[pos]
        return s.tln(F.gelu(s.tr(h))) @ s.w.weight.T + s.bias
m = Bert(); total, warm = 6000, 120
decay = [p for n_, p in m.named_parameters() if not (n_.endswith('bias') or 'ln' in n_.split('.')[-2:][0] or n_.startswith('ln') or '.ln' in n_)]
nodecay = [p for n_, p in m.named_parameters() if all(p is not q for q in decay)]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': nodecay, 'weight_decay': 0.0}], lr=1e-3)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda st: (st + 1) / warm if st < warm else max(0.0, (total - st) / (total - warm)))
g = torch.Generator().manual_seed(7); order = torch.randperm(len(data), generator=g); cur = 0; acc = 0.0; t0 = time.time()
for step in range(1, int(sys.argv[5]) + 1):
    if cur + B > len(order): order = torch.randperm(len(data), generator=g); cur = 0
    ids = data[order[cur:cur+B]].clone(); cur += B
    special = ids < 5; sel = (torch.rand(ids.shape, generator=g) < 0.15) & ~special
    labels = ids[sel]; r = torch.rand(labels.shape, generator=g)
    inp = ids.clone(); flat = inp[sel]; flat = torch.where(r < 0.8, torch.full_like(flat, 4), torch.where(r < 0.9, torch.randint(0, V, flat.shape, generator=g), flat)); inp[sel] = flat
    pos = sel.reshape(-1).nonzero().squeeze(1)
    loss = F.cross_entropy(m(inp, pos), labels)
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sched.step(); acc += loss.item()
    if step % 100 == 0: print(f'step {step} loss {acc/100:.3f} lr {sched.get_last_lr()[0]:.2e} ({(time.time()-t0)/step:.2f} s/step)', flush=True); acc = 0.0

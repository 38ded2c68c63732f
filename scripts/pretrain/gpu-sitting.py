# One GPU sitting of the bundled model's pretraining (`npm run pretrain:bundled -- --gpu-export` /
# `--gpu-import`). Why Python: the compute layer's GPU path (tfjs-node-gpu) needs CUDA 11.2 and a
# libtensorflow download at install time; a GPU host here has CUDA 13, PyTorch and no network, so the
# TypeScript engine cannot reach its GPU. This file is only the optimiser loop. The vocabulary, the
# tokenised rows, the starting weights, the held-out evaluation and the saved model all come from the
# TypeScript side, which re-evaluates the weights this writes with its own engine before keeping them.
#
# The network is Hugging Face's post-LN BertForMaskedLM, written out over the checkpoint's own tensor
# names (so the weights go back unchanged in layout): tied decoder, GELU (erf), LayerNorm eps from config.
# Masking is BERT's 80/10/10 over non-special tokens, as runtime/model/masking.ts does it.
#
# Usage: python3 gpu-sitting.py --init MODEL_DIR --rows ROWS.u16 --out DIR --minutes M
#        [--lr 1e-3] [--mask 0.15] [--batch 1024] [--dropout 0.1] [--warmup 300] [--seed 7] [--tag NAME]
# Writes DIR/<tag>.safetensors (F16, every tensor of the input, trained ones replaced) and DIR/<tag>.json
# (recipe, device, steps, tokens, loss curve, MLM accuracy on 1% of rows held back from this sitting).
import argparse, json, math, os, struct, time
import numpy as np
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--init', required=True)
p.add_argument('--rows', required=True)
p.add_argument('--out', required=True)
p.add_argument('--minutes', type=float, required=True)
p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--mask', type=float, default=0.15)
p.add_argument('--batch', type=int, default=1024)
p.add_argument('--dropout', type=float, default=0.1)
p.add_argument('--warmup', type=int, default=300)
p.add_argument('--seed', type=int, default=7)
p.add_argument('--tag', default='sitting')
p.add_argument('--forward-check', default='', help='write the masked-LM logits of the first 2 rows (unmasked, every position) to this JSON file and exit; tests compare them with the TypeScript engine')
p.add_argument('--checkpoint-every', type=float, default=90.0, help='seconds between checkpoints written to --out')
args = p.parse_args()
t_start = time.time()
deadline = t_start + args.minutes * 60
dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(args.seed)
if dev.type == 'cuda':
    torch.backends.cuda.matmul.allow_tf32 = True

# ---- safetensors, read and written by hand (the format is 8 bytes of header length, a JSON header, raw data)
DT = {'F16': np.float16, 'F32': np.float32, 'BF16': None}

def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        if v['dtype'] not in ('F16', 'F32'):
            raise SystemExit(f'{path}: tensor {k} has dtype {v["dtype"]}; expected F16 or F32')
        arr = np.frombuffer(data[a:b], dtype=DT[v['dtype']]).reshape(v['shape'])
        out[k] = torch.from_numpy(arr.astype(np.float32))
    return out

def write_safetensors(path, tensors):
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for k in sorted(tensors):
        arr = tensors[k].detach().float().cpu().numpy().astype(np.float16)
        b = arr.tobytes()
        header[k] = {'dtype': 'F16', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)

cfg = json.load(open(os.path.join(args.init, 'config.json')))
H, L, NH = cfg['hidden_size'], cfg['num_hidden_layers'], cfg['num_attention_heads']
V, EPS = cfg['vocab_size'], cfg['layer_norm_eps']
weights = read_safetensors(os.path.join(args.init, 'model.safetensors'))
# The pooler is not used by masked LM: it is passed through untouched (fine-tuning trains it).
trained = {k: v for k, v in weights.items() if not k.startswith('bert.pooler.')}
P = {k: torch.nn.Parameter(v.to(dev)) for k, v in trained.items()}

# ---- data: uint16 rows of exactly 128 tokens ([CLS] … [SEP]); 1% held back for this sitting's curve
seq = cfg['max_position_embeddings']
rows = torch.from_numpy(np.fromfile(args.rows, dtype=np.uint16).astype(np.int64)).view(-1, seq)
g = torch.Generator().manual_seed(args.seed)
perm = torch.randperm(rows.shape[0], generator=g)
n_check = max(64, rows.shape[0] // 100)
check_rows = rows[perm[:n_check]].to(dev)
train_rows = rows[perm[n_check:]].to(dev)
SPECIAL, MASK_ID = 5, 4  # [PAD] [UNK] [CLS] [SEP] [MASK] are ids 0–4 in the bundled vocabulary

def mask_batch(ids, prob, gen):
    sel = (torch.rand(ids.shape, device=dev, generator=gen) < prob) & (ids >= SPECIAL)
    r = torch.rand(ids.shape, device=dev, generator=gen)
    rnd = torch.randint(0, V, ids.shape, device=dev, generator=gen)
    inp = torch.where(sel & (r < 0.8), torch.full_like(ids, MASK_ID), torch.where(sel & (r < 0.9), rnd, ids))
    return inp, sel

def attention(q, k, v, drop):
    if hasattr(F, 'scaled_dot_product_attention'):
        return F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1)  # PyTorch < 2.0 (Debian's, for trying this on a CPU)
    return F.dropout(w, drop, drop > 0) @ v

def linear(x, name):
    return F.linear(x, P[name + '.weight'], P[name + '.bias'])

def layer_norm(x, name):
    return F.layer_norm(x, (H,), P[name + '.weight'], P[name + '.bias'], EPS)

def forward(ids, sel, drop):
    b, t = ids.shape
    e = 'bert.embeddings.'
    x = P[e + 'word_embeddings.weight'][ids] + P[e + 'position_embeddings.weight'][:t] + P[e + 'token_type_embeddings.weight'][0]
    x = F.dropout(layer_norm(x, e + 'LayerNorm'), drop, drop > 0)
    d = H // NH
    for i in range(L):
        n = f'bert.encoder.layer.{i}.'
        split = lambda z: z.view(b, t, NH, d).transpose(1, 2)
        q, k, v = (split(linear(x, n + 'attention.self.' + w)) for w in ('query', 'key', 'value'))
        a = attention(q, k, v, drop)
        a = a.transpose(1, 2).reshape(b, t, H)
        x = layer_norm(x + F.dropout(linear(a, n + 'attention.output.dense'), drop, drop > 0), n + 'attention.output.LayerNorm')
        h = F.gelu(linear(x, n + "intermediate.dense"))
        x = layer_norm(x + F.dropout(linear(h, n + 'output.dense'), drop, drop > 0), n + 'output.LayerNorm')
    hm = x[sel]  # only masked positions go through the vocabulary projection
    hm = layer_norm(F.gelu(linear(hm, 'cls.predictions.transform.dense')), 'cls.predictions.transform.LayerNorm')
    return F.linear(hm, P['bert.embeddings.word_embeddings.weight'], P['cls.predictions.bias'])

if args.forward_check:
    with torch.no_grad():
        ids = rows[:2].to(dev)
        logits = forward(ids, torch.ones_like(ids, dtype=torch.bool), 0.0)
    json.dump({'shape': list(logits.shape), 'logits': logits.flatten().tolist()}, open(args.forward_check, 'w'))
    raise SystemExit(0)

amp = torch.autocast('cuda', dtype=torch.bfloat16) if dev.type == 'cuda' else torch.autocast('cpu', enabled=False)

@torch.no_grad()
def check_accuracy():
    gen = torch.Generator(device=dev).manual_seed(12345)
    hits, count, loss = 0, 0, 0.0
    for i in range(0, check_rows.shape[0], 256):
        ids = check_rows[i:i + 256]
        inp, sel = mask_batch(ids, 0.15, gen)
        with amp:
            logits = forward(inp, sel, 0.0).float()
        labels = ids[sel]
        hits += (logits.argmax(-1) == labels).sum().item()
        loss += F.cross_entropy(logits, labels, reduction='sum').item()
        count += labels.numel()
    return hits / count, math.exp(loss / count)

decay = [v for k, v in P.items() if v.dim() >= 2]
no_decay = [v for k, v in P.items() if v.dim() < 2]
opt_kw = {'lr': args.lr, 'betas': (0.9, 0.98), 'eps': 1e-6}
if dev.type == 'cuda':
    opt_kw['fused'] = True
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], **opt_kw)

gen = torch.Generator(device=dev).manual_seed(args.seed + 17)
order, cursor, epoch = torch.randperm(train_rows.shape[0], device=dev, generator=gen), 0, 0
acc0, ppl0 = check_accuracy()
log = {'tag': args.tag, 'recipe': {k: getattr(args, k) for k in ('lr', 'mask', 'batch', 'dropout', 'warmup', 'seed')},
       'device': torch.cuda.get_device_name(0) if dev.type == 'cuda' else 'CPU', 'torch': torch.__version__,
       'trainRows': int(train_rows.shape[0]), 'checkRows': int(n_check), 'seqLength': seq,
       'start': {'checkAccuracy': acc0, 'checkPerplexity': ppl0}, 'curve': [], 'steps': 0, 'tokens': 0}
print(f'[{args.tag}] {log["device"]}: {train_rows.shape[0]} rows, start check accuracy {acc0:.4f} ppl {ppl0:.1f}', flush=True)

def save(final):
    out = dict(weights)
    for k, v in P.items():
        out[k] = v.detach()
    write_safetensors(os.path.join(args.out, f'{args.tag}.safetensors'), out)
    log['final'] = final
    log['seconds'] = time.time() - t_start
    with open(os.path.join(args.out, f'{args.tag}.json'), 'w') as f:
        json.dump(log, f, indent=1)

# Total steps are fixed after timing the first ones, so the linear decay reaches zero at the deadline.
total_steps, step, loss_acc, loss_n, t_timing, last_ckpt = None, 0, 0.0, 0, None, time.time()
while True:
    if total_steps is not None and step >= total_steps:
        break
    if time.time() > deadline:
        print(f'[{args.tag}] deadline reached at step {step} of {total_steps}', flush=True)
        break
    if cursor + args.batch > order.shape[0]:
        order, cursor, epoch = torch.randperm(train_rows.shape[0], device=dev, generator=gen), 0, epoch + 1
    ids = train_rows[order[cursor:cursor + args.batch]]
    cursor += args.batch
    inp, sel = mask_batch(ids, args.mask, gen)
    if total_steps is None:
        lr = args.lr * min(1.0, (step + 1) / args.warmup)
    else:
        lr = args.lr * min(1.0, (step + 1) / args.warmup, max(0.0, (total_steps - step) / max(1, total_steps - args.warmup)))
    for group in opt.param_groups:
        group['lr'] = lr
    with amp:
        loss = F.cross_entropy(forward(inp, sel, args.dropout).float(), ids[sel])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
    opt.step()
    step += 1
    loss_acc += loss.detach()
    loss_n += 1
    if step == 20:
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        t_timing = time.time()
    if step == 120 and total_steps is None:
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        per_step = (time.time() - t_timing) / 100
        # leave room for the periodic checks and the final save
        total_steps = step + max(1, int((deadline - time.time() - 20) * 0.93 / per_step))
        log['plannedSteps'] = total_steps
        print(f'[{args.tag}] {per_step * 1000:.1f} ms/step → planning {total_steps} steps', flush=True)
    if step % 500 == 0 or (total_steps is not None and step == total_steps):
        acc, ppl = check_accuracy()
        mean_loss = (loss_acc / loss_n).item()
        loss_acc, loss_n = 0.0, 0
        log['curve'].append({'step': step, 'epoch': epoch, 'loss': mean_loss, 'lr': lr, 'checkAccuracy': acc, 'checkPerplexity': ppl, 'seconds': time.time() - t_start})
        print(f'[{args.tag}] step {step}/{total_steps} epoch {epoch} loss {mean_loss:.3f} lr {lr:.2e} check acc {acc:.4f} ppl {ppl:.1f} ({time.time() - t_start:.0f} s)', flush=True)
    log['steps'], log['tokens'] = step, step * args.batch * seq
    if time.time() - last_ckpt > args.checkpoint_every:
        save(False)
        last_ckpt = time.time()
if not log['curve'] or log['curve'][-1]['step'] != step:
    acc, ppl = check_accuracy()
    log['curve'].append({'step': step, 'epoch': epoch, 'loss': (loss_acc / max(1, loss_n)).item() if loss_n else None, 'lr': lr, 'checkAccuracy': acc, 'checkPerplexity': ppl, 'seconds': time.time() - t_start})
log['epochs'] = log['tokens'] / (train_rows.shape[0] * seq)
save(True)
print(f'[{args.tag}] done: {step} steps, {log["tokens"]:,} tokens ({log["epochs"]:.1f} epochs), check accuracy {log["curve"][-1]["checkAccuracy"]:.4f}', flush=True)

"""Writes the passes of kernels/src/main/java/bragg/kernels/FlashAttentionKernel.java (everything
from the forward pass's comment to the end of the class). The 4 x 4 register blocks are written
out as scalars (s00 .. s33) because Aparapi has no vector types and private arrays defeat both
PoCL and GPU compilers; this script keeps the sixteen-fold repetition in one place.
Usage: python3 scripts/gen-flash-kernel.py   (from the repository root; rewrites the file)."""
R = range(4)
def blk(fmt, ind):
    return "\n".join(ind + fmt.format(r=r, c=c) for r in R for c in R)
def rows(fmt, ind):
    return "\n".join(ind + fmt.format(r=r) for r in R)
def cols(fmt, ind):
    return "\n".join(ind + fmt.format(c=c) for c in R)
def decl(n, ind):
    return "\n".join(ind + "float " + ", ".join(n.format(r=r, c=c) + " = 0f" for c in R) + ";" for r in R)
I2, I3, I4, I5 = " "*8, " "*12, " "*16, " "*20

def load(dst, src, base, rowLimit, e0, mul, transposed, ind):
    at = "e * tile + row" if transposed else "row * tile + e"
    m = "" if mul is None else " * " + mul
    return f"""{ind}for (int row = ta; row < tile; row += tbN) {{
{ind}    for (int e = tb; e < tile; e += tbN) {{
{ind}        float x = 0f;
{ind}        if (row < {rowLimit} && {e0} + e < dh) {{
{ind}            x = {src}[({base} + row) * dh + {e0} + e]{m};
{ind}        }}
{ind}        {dst}[{at}] = x;
{ind}    }}
{ind}}}"""

def mm(var, terms, ind, own_major):
    """for var in tile: acc[r][c] += A(r) * B(c).
    own_major: A indexed [(a0 + r) * tile + var] (row-major own block) else [var * tile + a0 + r];
    B always [var * tile + tb + c * tbN]."""
    s = f"{ind}for (int {var} = 0; {var} < tile; {var}++) {{\n"
    for (acc, A, an, B, bn) in terms:
        aidx = f"(a0 + {{r}}) * tile + {var}" if own_major else f"{var} * tile + a0 + {{r}}"
        s += rows(f"float {an}{{r}} = {A}[{aidx}];", ind + "    ") + "\n"
        s += cols(f"float {bn}{{c}} = {B}[{var} * tile + tb * 4 + {{c}}];", ind + "    ") + "\n"
        s += blk(f"{acc}{{r}}{{c}} += {an}{{r}} * {bn}{{c}};", ind + "    ") + "\n"
    s += ind + "}"
    return s

PRE = """        int tb = getLocalId(0);
        int ta = getLocalId(1);
        int a0 = ta * 4;
        int grp = getGroupId(0);
        int chunk = grp % numChunks;
        int rest = grp / numChunks;
        int tileIndex = rest % numTiles;
        int bh = rest / numTiles;
        int b = bh / heads;
        int d0 = chunk * tile;"""

fwd = f'''
    // out = softmax(scale q k^T) v with an online softmax over key tiles; lse = m + log(l).
    private void forwardPass() {{
{PRE}
        int q0 = tileIndex * tile;
        int qRows = min(tile, lq - q0);
        int groupEnd = keyEnd(b, q0 + qRows - 1); // keys any query of the group may see
{rows("int end{r} = q0 + a0 + {r} < lq ? keyEnd(b, q0 + a0 + {r}) : 0;", I2)}
{rows("float m{r} = negInf;", I2)}
{rows("float l{r} = 0f;", I2)}
{decl("o{r}{c}", I2)}
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {{
            int kRows = min(tile, lk - k0);
{decl("s{r}{c}", I3)}
            for (int e0 = 0; e0 < dh; e0 += tile) {{
                if (k0 == 0 || dh > tile) {{ // with one chunk of Dh, Q stays in la for every key tile
{load("la", "q", "bh * lq + q0", "qRows", "e0", "scale", False, I5)}
                }}
{load("lb", "k", "bh * lk + k0", "kRows", "e0", None, True, I4)}
                localBarrier();
{mm("e", [("s", "la", "qa", "lb", "kb")], I4, True)}
                localBarrier();
            }}
            // mask, then this work-item's share of each row's maximum
{blk("if (k0 + tb * 4 + {c} >= end{r}) {{ s{r}{c} = negInf; }}", I3)}
{rows("lr1[tb * tile + a0 + {r}] = max(max(s{r}0, s{r}1), max(s{r}2, s{r}3));", I3)}
{load("lc", "v", "bh * lk + k0", "kRows", "d0", None, False, I3)}
            localBarrier();
{rows("float n{r} = m{r};", I3)}
            for (int t = 0; t < tbN; t++) {{
{rows("n{r} = max(n{r}, lr1[t * tile + a0 + {r}]);", I4)}
            }}
{rows("float c{r} = 1f;", I3)}
{rows("if (n{r} != negInf) {{ c{r} = exp(m{r} - n{r}); }}", I3)}
{blk("float p{r}{c} = 0f;", I3)}
{blk("if (s{r}{c} != negInf) {{ p{r}{c} = exp(s{r}{c} - n{r}); }}", I3)}
{blk("lp[(tb * 4 + {c}) * tile + a0 + {r}] = p{r}{c};", I3)}
{rows("lr2[tb * tile + a0 + {r}] = p{r}0 + p{r}1 + p{r}2 + p{r}3;", I3)}
{rows("m{r} = n{r};", I3)}
            localBarrier();
{rows("float sum{r} = 0f;", I3)}
            for (int t = 0; t < tbN; t++) {{
{rows("sum{r} += lr2[t * tile + a0 + {r}];", I4)}
            }}
{rows("l{r} = l{r} * c{r} + sum{r};", I3)}
{blk("o{r}{c} *= c{r};", I3)}
{mm("j", [("o", "lp", "pa", "lc", "vb")], I3, False)}
            localBarrier();
        }}
{rows("float inv{r} = 0f;", I2)}
{rows("if (l{r} > 0f) {{ inv{r} = 1f / l{r}; }}", I2)}
        int oBase = (bh * lq + q0) * dh + d0;
{blk("if (a0 + {r} < qRows && d0 + tb * 4 + {c} < dh) {{ out[oBase + (a0 + {r}) * dh + tb * 4 + {c}] = o{r}{c} * inv{r}; }}", I2)}
        if (chunk == 0 && tb == 0) {{
{rows("if (a0 + {r} < qRows) {{ float x = negInf; if (l{r} > 0f) {{ x = m{r} + log(l{r}); }} lse[bh * lq + q0 + a0 + {r}] = x; }}", I3)}
        }}
    }}
'''

# the key-tile passes' shared head: own keys, their validity, the loop over query tiles
KEY_TILE = f"""        int k0 = tileIndex * tile;
        int kRows = min(tile, lk - k0);
        int valid = keyLen[b];
{rows("int alive{r} = a0 + {r} < kRows && k0 + a0 + {r} < valid ? 1 : 0;", I2)}"""
QUERY_LOOP = """        // under the causal mask queries before the tile's first key see none of it; a tile that
        // starts in the padding has nothing to do (both group-uniform: every work-item meets the same barriers)
        int iStart = causal == 1 ? k0 : 0;
        int iEnd = k0 < valid ? lq : 0;
        for (int i0 = iStart; i0 < iEnd; i0 += tile) {
            int qRows = min(tile, lq - i0);"""

dvp = f'''
    // dv_j = sum_i P_ij dO_i, one key tile per group (dK has its own pass: one set of accumulators each).
    private void dvPass() {{
{PRE}
{KEY_TILE}
{decl("dv{r}{c}", I2)}
{QUERY_LOOP}
{decl("s{r}{c}", I3)}
            for (int e0 = 0; e0 < dh; e0 += tile) {{
{load("la", "k", "bh * lk + k0", "kRows", "e0", None, False, I4)}
{load("lc", "q", "bh * lq + i0", "qRows", "e0", "scale", True, I4)}
                localBarrier();
{mm("e", [("s", "la", "ka", "lc", "qb")], I4, True)}
                localBarrier();
            }}
{cols("float lse{c} = tb * 4 + {c} < qRows ? lse[bh * lq + i0 + tb * 4 + {c}] : negInf;", I3)}
{blk("float p{r}{c} = 0f;", I3)}
{blk("if (alive{r} == 1 && lse{c} != negInf && (causal == 0 || i0 + tb * 4 + {c} >= k0 + a0 + {r})) {{ p{r}{c} = exp(s{r}{c} - lse{c}); }}", I3)}
{blk("la[(tb * 4 + {c}) * tile + a0 + {r}] = p{r}{c};", I3)}
{load("lc", "dOut", "bh * lq + i0", "qRows", "d0", None, False, I3)}
            localBarrier();
{mm("i", [("dv", "la", "pa", "lc", "ob")], I3, False)}
            localBarrier();
        }}
        int kBase = (bh * lk + k0) * dh + d0;
{blk("if (a0 + {r} < kRows && d0 + tb * 4 + {c} < dh) {{ dv[kBase + (a0 + {r}) * dh + tb * 4 + {c}] = dv{r}{c}; }}", I2)}
    }}
'''

dkp = f'''
    // dk_j = scale * sum_i P_ij (dO_i . v_j - D_i) q_i, one key tile per group.
    private void dkPass() {{
{PRE}
{KEY_TILE}
{decl("dk{r}{c}", I2)}
{QUERY_LOOP}
{decl("s{r}{c}", I3)}
{decl("dp{r}{c}", I3)}
            for (int e0 = 0; e0 < dh; e0 += tile) {{
{load("la", "k", "bh * lk + k0", "kRows", "e0", None, False, I4)}
{load("lb", "v", "bh * lk + k0", "kRows", "e0", None, False, I4)}
{load("lc", "q", "bh * lq + i0", "qRows", "e0", "scale", True, I4)}
{load("lp", "dOut", "bh * lq + i0", "qRows", "e0", None, True, I4)}
                localBarrier();
{mm("e", [("s", "la", "ka", "lc", "qb")], I4, True)}
{mm("e", [("dp", "lb", "va", "lp", "ob")], I4, True)}
                localBarrier();
            }}
{cols("float lse{c} = tb * 4 + {c} < qRows ? lse[bh * lq + i0 + tb * 4 + {c}] : negInf;", I3)}
{cols("float dd{c} = tb * 4 + {c} < qRows ? dRow[bh * lq + i0 + tb * 4 + {c}] : 0f;", I3)}
{blk("float p{r}{c} = 0f;", I3)}
{blk("if (alive{r} == 1 && lse{c} != negInf && (causal == 0 || i0 + tb * 4 + {c} >= k0 + a0 + {r})) {{ p{r}{c} = exp(s{r}{c} - lse{c}); }}", I3)}
{blk("lb[(tb * 4 + {c}) * tile + a0 + {r}] = p{r}{c} * (dp{r}{c} - dd{c});", I3)}
{load("lp", "q", "bh * lq + i0", "qRows", "d0", "scale", False, I3)}
            localBarrier();
{mm("i", [("dk", "lb", "sa", "lp", "qb")], I3, False)}
            localBarrier();
        }}
        int kBase = (bh * lk + k0) * dh + d0;
{blk("if (a0 + {r} < kRows && d0 + tb * 4 + {c} < dh) {{ dk[kBase + (a0 + {r}) * dh + tb * 4 + {c}] = dk{r}{c}; }}", I2)}
    }}
'''

dq = f'''
    // dq_i = scale * sum_j P_ij (dO_i . v_j - D_i) k_j, one query tile per group.
    private void dqPass() {{
{PRE}
        int q0 = tileIndex * tile;
        int qRows = min(tile, lq - q0);
        int groupEnd = keyEnd(b, q0 + qRows - 1);
{rows("int end{r} = q0 + a0 + {r} < lq ? keyEnd(b, q0 + a0 + {r}) : 0;", I2)}
{rows("float lse{r} = q0 + a0 + {r} < lq ? lse[bh * lq + q0 + a0 + {r}] : negInf;", I2)}
{rows("float dd{r} = q0 + a0 + {r} < lq ? dRow[bh * lq + q0 + a0 + {r}] : 0f;", I2)}
{decl("dq{r}{c}", I2)}
        for (int k0 = 0; k0 < groupEnd; k0 += tile) {{
            int kRows = min(tile, lk - k0);
{decl("s{r}{c}", I3)}
{decl("dp{r}{c}", I3)}
            for (int e0 = 0; e0 < dh; e0 += tile) {{
{load("la", "q", "bh * lq + q0", "qRows", "e0", "scale", False, I4)}
{load("lb", "dOut", "bh * lq + q0", "qRows", "e0", None, False, I4)}
{load("lc", "k", "bh * lk + k0", "kRows", "e0", None, True, I4)}
{load("lp", "v", "bh * lk + k0", "kRows", "e0", None, True, I4)}
                localBarrier();
{mm("e", [("s", "la", "qa", "lc", "kb")], I4, True)}
{mm("e", [("dp", "lb", "oa", "lp", "vb")], I4, True)}
                localBarrier();
            }}
{blk("float p{r}{c} = 0f;", I3)}
{blk("if (lse{r} != negInf && k0 + tb * 4 + {c} < end{r}) {{ p{r}{c} = exp(s{r}{c} - lse{r}); }}", I3)}
{blk("la[(tb * 4 + {c}) * tile + a0 + {r}] = p{r}{c} * (dp{r}{c} - dd{r});", I3)}
{load("lc", "k", "bh * lk + k0", "kRows", "d0", None, False, I3)}
            localBarrier();
{mm("j", [("dq", "la", "sa", "lc", "kb")], I3, False)}
            localBarrier();
        }}
        int qBase = (bh * lq + q0) * dh + d0;
{blk("if (a0 + {r} < qRows && d0 + tb * 4 + {c} < dh) {{ dq[qBase + (a0 + {r}) * dh + tb * 4 + {c}] = dq{r}{c} * scale; }}", I2)}
    }}
'''
MARK = "    // out = softmax(scale q k^T) v with an online softmax"
PATH = "kernels/src/main/java/bragg/kernels/FlashAttentionKernel.java"
text = open(PATH).read()
text = text[:text.index(MARK)] + (fwd + dvp + dkp + dq).lstrip("\n") + "}\n"
open(PATH, "w").write(text)

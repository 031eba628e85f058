#!/usr/bin/env python3
"""A second verifier, written from ledger/VERIFYING.md alone, in another
language and with nothing but Python's standard library (Ed25519 included,
from RFC 8032 section 5.1.7). TestVerifyingIndependently runs it on the
document's worked examples: if the document leaves out a byte a verifier
needs, this script cannot check them.

    python3 verify.py VERIFYING.md
"""
import base64
import hashlib
import json
import re
import sys


def sha256(b):
    return hashlib.sha256(b).digest()


# --- Ed25519 verification (RFC 8032, 5.1.7) -------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
I = pow(2, (P - 1) // 4, P)


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * I % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _add(a, b):
    (x1, y1, z1, t1), (x2, y2, z2, t2) = a, b
    A, B = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    C, Dd = t1 * 2 * D * t2 % P, z1 * 2 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def _decompress(b):
    y = int.from_bytes(b, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def ed25519_verify(public, msg, sig):
    if len(public) != 32 or len(sig) != 64:
        return False
    A, R = _decompress(public), _decompress(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if A is None or R is None or s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % L
    return _equal(_mul(s, G), _add(R, _mul(h, A)))


# --- The tree (VERIFYING.md section 2, RFC 9162 2.1) ----------------------
def leaf_hash(envelope):
    return sha256(b"\x00" + envelope)


def node(a, b):
    return sha256(b"\x01" + a + b)


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def check_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def check_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 2.1.4.2."""
    if size1 > size2:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    if not proof:
        return False
    if size1 & (size1 - 1) == 0:  # a power of two
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


# --- Keys, checkpoints, cosignatures (sections 3, 4, 7) -------------------
def parse_vkey(vkey):
    name, khash, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key)
    if sha256(name.encode() + b"\n" + raw)[:4].hex() != khash:
        raise ValueError("key hash of %s does not match" % name)
    return name, bytes.fromhex(khash), raw[0], raw[1:]


def open_checkpoint(text, vkey, witnesses=()):
    """Returns (origin, size, root, names of witnesses whose cosignature verified)."""
    name, khash, ktype, public = parse_vkey(vkey)
    assert ktype == 1
    body, sigs = text.split("\n\n", 1)
    body += "\n"
    origin, size, root = body.split("\n")[:3]
    assert origin == name, "origin is not the key's name"
    logged, cosigned = False, []
    wkeys = [parse_vkey(w) for w in witnesses]
    for line in sigs.strip("\n").split("\n"):
        assert line.startswith("\u2014 ")
        signer, b64 = line[2:].split(" ")
        sig = base64.b64decode(b64)
        if signer == name and sig[:4] == khash:
            logged = ed25519_verify(public, body.encode(), sig[4:])
            assert logged, "the ledger's signature does not verify"
        for wname, whash, wtype, wpub in wkeys:
            if signer == wname and sig[:4] == whash and wtype == 4:
                t = int.from_bytes(sig[4:12], "big")
                msg = b"cosignature/v1\ntime %d\n" % t + body.encode()
                assert ed25519_verify(wpub, msg, sig[12:]), "cosignature does not verify"
                cosigned.append(wname)
    assert logged, "not signed by the ledger"
    return origin, int(size), base64.b64decode(root), cosigned


def main(path):
    doc = open(path, encoding="utf-8").read()
    ex = {m.group(1): m.group(2) for m in re.finditer(r"<!-- example ([a-z0-9-]+) -->\n```[a-z]*\n(.*?)\n```", doc, re.S)}
    envelope = ex["envelope-3"].encode()
    assert leaf_hash(envelope).hex() == ex["leaf-3"], "leaf of seq 3"
    leaves = [bytes.fromhex(l.split()[1]) for l in ex["leaves"].splitlines()]
    assert leaves[3] == leaf_hash(envelope)
    root5 = mth(leaves)
    assert root5.hex() == ex["root-5"] and base64.b64encode(root5).decode() == ex["root-5-base64"], "root of 5"
    for line in ex["nodes"].splitlines():
        lo, hi = map(int, re.match(r"MTH\((\d+)\.\.(\d+)\)", line).groups())
        assert mth(leaves[lo:hi]).hex() == line.split("= ")[1], line
    assert open_checkpoint(ex["checkpoint-5"] + "\n", ex["vkey"])[:3] == ("example.org/statledger-verifying", 5, root5)

    inc = json.loads(ex["inclusion-proof"])
    origin, size, root, _ = open_checkpoint(inc["checkpoint"], ex["vkey"])
    record = inc["record"].encode()
    assert size == inc["tree_size"] and leaf_hash(record).hex() == inc["leaf_hash"]
    assert json.loads(record)["seq"] == inc["seq"]
    assert check_inclusion(inc["seq"], size, leaf_hash(record), [bytes.fromhex(h) for h in inc["proof"]], root), "inclusion"
    assert not check_inclusion(inc["seq"] - 1, size, leaf_hash(record), [bytes.fromhex(h) for h in inc["proof"]], root)

    con = json.loads(ex["consistency-proof"])
    o1, s1, r1, _ = open_checkpoint(con["old_checkpoint"], ex["vkey"])
    o2, s2, r2, _ = open_checkpoint(con["new_checkpoint"], ex["vkey"])
    proof = [bytes.fromhex(h) for h in con["proof"]]
    assert o1 == o2 and check_consistency(s1, s2, proof, r1, r2), "consistency"
    assert r1 == mth(leaves[:s1]) and r2 == mth(leaves[:s2])
    assert not check_consistency(s1, s2, proof, r2, r2)

    assert ex["cosigned-message"].split("\n")[:2] == ["cosignature/v1", "time 1764547200"]
    _, _, _, names = open_checkpoint(ex["cosigned-checkpoint"] + "\n", ex["vkey"], [ex["witness-vkey"]])
    assert names == ["example.org/witness"], names

    print("ok: every worked example of %s verifies" % path)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except (AssertionError, KeyError, ValueError) as e:
        print("FAILED: %r" % (e,), file=sys.stderr)
        sys.exit(1)

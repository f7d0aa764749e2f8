#!/usr/bin/env python3
"""Reference computations for the known-answer tests of the formats scone-open defines.

The expected bytes in src/cas/protocol_kat_test.cc, src/platform/sealing_kat_test.cc,
src/store/records_kat_test.cc, src/store/key_store_kat_test.cc,
src/cas/backup_protocol_kat_test.cc, src/store/backup_keys_kat_test.cc and
src/store/writer_mark_kat_test.cc were printed by this script. It builds each format from its documentation (docs/cas.md, docs/store.md, the header
comments of the code), independently of the C++ code: hashlib and hmac from Python's
standard library, HKDF written out after RFC 5869, and AES-256-GCM from the `cryptography`
package (Debian: python3-cryptography). AES-GCM inputs that are random in the product (the
12-byte nonce) are fixed here, so the C++ tests open these blobs rather than compare
their own output byte for byte.

Not run by the tests: run it by hand when a format changes on purpose, and update the
tests (and the format's version) together.
"""

import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def hkdf_sha256(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def gcm(key, nonce, plaintext, aad):
    """crypto/aead.h layout: nonce (12) || ciphertext || tag (16)."""
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def show(name, value):
    print(f"{name} = {value.hex()}")


# --- CAS attestation report data (docs/cas.md, src/cas/protocol.h) ---------------------------
# Two P-256 public keys made once with `openssl genpkey -algorithm EC -pkeyopt
# ec_paramgen_curve:P-256` and `openssl pkey -pubout -outform DER`.
CAS_SPKI = bytes.fromhex(
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000486581206d910eba972345fd94b82e77e"
    "19dae5b3973c68164b864394ae1ed4b2bae6a6c9e77afce6aa4796cd1f2a29fb24e63778b0ed575cc30bc3"
    "edf8f5a712")
SW_SPKI = bytes.fromhex(
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004ee975525e2bd9c72d25d50a3f0440dc1"
    "de114501524c3d6d2dd8a9cb5cc9847c77677a9229b6b7a860d87a980e0acac53809545fddf49ccca90628"
    "c8640ff4db")


def report_data(nonce, flags):
    data = (b"scone-cas-attestation/1\x00" + bytes([len(nonce)]) + nonce +
            hashlib.sha256(CAS_SPKI).digest() + hashlib.sha256(SW_SPKI).digest() +
            bytes([flags]))
    return hashlib.sha512(data).digest()


print("# protocol_kat_test.cc")
show("sha256(cas spki)", hashlib.sha256(CAS_SPKI).digest())
show("sha256(sw spki)", hashlib.sha256(SW_SPKI).digest())
nonce16 = bytes(range(16))
nonce64 = bytes(range(0x40, 0x80))
show("report data, nonce 00..0f, flags 0x00", report_data(nonce16, 0x00))
show("report data, nonce 00..0f, flags 0x01 (provisioned)", report_data(nonce16, 0x01))
show("report data, nonce 00..0f, flags 0x0d (prov|debug|sim)", report_data(nonce16, 0x0D))
show("report data, nonce 40..7f, flags 0x0f (all)", report_data(nonce64, 0x0F))

# --- Enclave API report data (docs/runtime.md, src/cas/enclave_protocol.h) ----------------
# SHA-512(b"scone-enclave-configuration/1\x00" || SHA-256(K's SPKI DER)); the platform id is
# SHA-256 of the quote's 64-byte attestation key.
print("\n# enclave_protocol_test.cc")
show("enclave report data, K = CAS_SPKI",
     hashlib.sha512(b"scone-enclave-configuration/1\x00" + hashlib.sha256(CAS_SPKI).digest()).digest())
show("platform id, attestation key 00..3f", hashlib.sha256(bytes(range(64))).digest())

# --- Sealed blob (src/platform/sealing.h) --------------------------------------------------
# Header "SCSEAL2" || policy (1) || key ISVSVN (u16 LE); then nonce || ciphertext || tag.
# Key = HKDF-SHA256(platform secret, salt "scone simulated SGX seal key v1",
#                   info = policy identity || u16 key ISVSVN).
# Policy identity = policy byte || u64 (attributes & (INIT|DEBUG)) || MRENCLAVE
#                   (policy 1) or MRSIGNER || u16 ISVPRODID (policy 2).
# AAD = header (10 bytes) || policy identity.
print("\n# sealing_kat_test.cc")
PLATFORM_SECRET = bytes(range(0x20))
MRENCLAVE = bytes([0x11]) * 32
MRSIGNER = bytes([0x22]) * 32
ISVPRODID = 0x0029
ISVSVN = 3
ATTRIBUTES = 0x1 | 0x4  # INIT | MODE64BIT: MODE64BIT is not bound, INIT is
SALT = b"scone simulated SGX seal key v1"


def policy_identity(policy, attributes):
    out = bytes([policy]) + u64(attributes & 0x3)
    return out + (MRENCLAVE if policy == 1 else MRSIGNER + u16(ISVPRODID))


def seal_key(policy, attributes, key_isvsvn):
    return hkdf_sha256(PLATFORM_SECRET, SALT, policy_identity(policy, attributes) + u16(key_isvsvn),
                       32)


show("seal key MRENCLAVE svn 3", seal_key(1, ATTRIBUTES, 3))
show("seal key MRSIGNER svn 3", seal_key(2, ATTRIBUTES, 3))
show("seal key MRSIGNER svn 1", seal_key(2, ATTRIBUTES, 1))
show("seal key MRSIGNER svn 3 DEBUG", seal_key(2, ATTRIBUTES | 0x2, 3))
show("aad MRSIGNER svn 3", b"SCSEAL2" + bytes([2]) + u16(3) + policy_identity(2, ATTRIBUTES))
show("aad MRENCLAVE svn 3", b"SCSEAL2" + bytes([1]) + u16(3) + policy_identity(1, ATTRIBUTES))
SEAL_NONCE = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaab")
PLAINTEXT = b"the CAS database key, sealed"
for policy, svn in ((2, 1), (1, 3)):
    header = b"SCSEAL2" + bytes([policy]) + u16(svn)
    blob = header + gcm(seal_key(policy, ATTRIBUTES, svn), SEAL_NONCE, PLAINTEXT,
                        header + policy_identity(policy, ATTRIBUTES))
    show(f"sealed blob policy {policy} key svn {svn}", blob)

# --- Store records (src/store/records.h, docs/store.md) ------------------------------------
print("\n# records_kat_test.cc")
DB_KEY = bytes(range(0x80, 0xA0))


def record_aad(kind, table, name):
    return b"scone-store v1" + bytes([kind]) + u32(len(table)) + table + u32(len(name)) + name


show("aad kv sessions/alpha", record_aad(1, b"sessions", b"alpha"))
show("aad meta key-check", record_aad(2, b"", b"key-check"))
key_id = hkdf_sha256(DB_KEY, b"scone-store", b"scone-store key id v1", 16)
show("key id", key_id)
ROW_NONCE = bytes.fromhex("b0b1b2b3b4b5b6b7b8b9babb")
row = gcm(DB_KEY, ROW_NONCE, b"session body v1", record_aad(1, b"sessions", b"alpha"))
show("kv value sessions/alpha", row)
CHECK_NONCE = bytes.fromhex("c0c1c2c3c4c5c6c7c8c9cacb")
key_check = key_id + gcm(DB_KEY, CHECK_NONCE, b"scone-store key-check v1",
                         record_aad(2, b"", b"key-check"))
show("key-check record", key_check)
# Content digest over rows (sessions, alpha) -> sha256(b"a"), (sessions, beta) -> sha256(b"b"),
# (keys, k) -> sha256(b"c"); rows in byte order of (table, name): keys/k, sessions/alpha,
# sessions/beta.
rows = sorted([(b"sessions", b"alpha", hashlib.sha256(b"a").digest()),
               (b"sessions", b"beta", hashlib.sha256(b"b").digest()),
               (b"keys", b"k", hashlib.sha256(b"c").digest())])
content = b"scone-store content v1" + u64(len(rows))
for table, name, digest in rows:
    content += u32(len(table)) + table + u32(len(name)) + name + digest
show("content digest of 3 rows", hashlib.sha256(content).digest())
show("content digest of no rows", hashlib.sha256(b"scone-store content v1" + u64(0)).digest())
# Content digest v2 of the same rows: 0x02 || u64le count || (sum of the rows' terms mod
# 2^256, little-endian), term = HMAC-SHA256(T, u32le len(table) || table || u32le len(name)
# || name || digest), T = HKDF-SHA256(key, "scone-store", "scone-store content key v2", 32).
term_key = hkdf_sha256(DB_KEY, b"scone-store", b"scone-store content key v2", 32)
total = 0
for table, name, digest in rows:
    term = hmac.new(term_key, u32(len(table)) + table + u32(len(name)) + name + digest,
                    hashlib.sha256).digest()
    total = (total + int.from_bytes(term, "little")) % 2**256
show("content digest v2 of 3 rows", b"\x02" + u64(len(rows)) + total.to_bytes(32, "little"))
show("content digest v2 of no rows", b"\x02" + u64(0) + bytes(32))

# --- Key-store (src/store/key_store.h, docs/store.md) --------------------------------------
# "SCONE-KS" || u16 version 1 || u16 key ISVSVN || AES-256-GCM(seal key, database key,
# AAD = the 12 header bytes).
print("\n# key_store_kat_test.cc")
KS_SEAL_KEY = bytes(range(0x40, 0x60))
KS_NONCE = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadb")
header = b"SCONE-KS" + u16(1) + u16(0x0102)
show("key-store header svn 0x0102", header)
show("key-store svn 0x0102", header + gcm(KS_SEAL_KEY, KS_NONCE, DB_KEY, header))

# --- Secret values (src/secrets/value.h, docs/secrets.md "Stored form") --------------------
# "SCONE-SECRETS" || u16 version 1 || u32 count || for each secret in byte order of its name:
# u32 len(name) || name || u8 kind (1 ascii, 2 binary, 3 private-key, 4 public-key, 5 x509,
# 6 x509-ca) || u32 len(material) || material || u32 chain count || (u32 len || DER)*.
print("\n# value_kat_test.cc")


def field(b):
    return u32(len(b)) + b


entries = [(b"bin", 2, bytes([0xDE, 0xAD, 0xBE, 0xEF]), []),
           (b"cert", 5, b"KEY", [b"\x30\x01\x00", b"\x30\x01\x01"]),
           (b"pw", 1, b"hunter2", [])]
values = b"SCONE-SECRETS" + u16(1) + u32(len(entries))
for name, kind, material, chain in sorted(entries):
    values += field(name) + bytes([kind]) + field(material) + u32(len(chain))
    for der in chain:
        values += field(der)
show("secret values bin/cert/pw", values)
show("secret values empty", b"SCONE-SECRETS" + u16(1) + u32(0))

# --- Backup key offer report data (docs/backup.md, src/cas/protocol.h) --------------------
# SHA-512(b"scone-cas-backup-key/1\x00" || len(nonce) (1 byte) || nonce
#         || SHA-256(public key SPKI DER) || salt (32) || u16 key ISVSVN).
print("\n# backup_protocol_kat_test.cc")
BACKUP_SALT = bytes(range(0x20, 0x40))


def backup_report_data(nonce, spki, salt, svn):
    return hashlib.sha512(b"scone-cas-backup-key/1\x00" + bytes([len(nonce)]) + nonce +
                          hashlib.sha256(spki).digest() + salt + u16(svn)).digest()


show("backup report data, nonce 00..0f, CAS_SPKI, salt 20..3f, svn 2",
     backup_report_data(nonce16, CAS_SPKI, BACKUP_SALT, 2))
show("backup report data, nonce 40..7f, SW_SPKI, salt 20..3f, svn 0x0102",
     backup_report_data(nonce64, SW_SPKI, BACKUP_SALT, 0x0102))

# --- Backup entry associated data (docs/backup.md, src/store/backup_keys.h) ---------------
# b"scone-cas-backup-entry v1\x00" || field(key id) || field(address) || field(MRSIGNER)
# || u16 ISVPRODID || u16 ISVSVN || u8 DEBUG || field(TCB status) || u16 key ISVSVN
# || field(salt) || field(backup key SPKI) || field(one-time key SPKI) || u64 registered,
# where field(b) = u32 len(b) || b.
print("\n# backup_keys_kat_test.cc")
ENTRY_KEY_ID = bytes(range(0x10, 0x20))
aad = (b"scone-cas-backup-entry v1\x00" + field(ENTRY_KEY_ID) + field(b"backup.example:8081") +
       field(bytes([0x22]) * 32) + u16(41) + u16(3) + bytes([0]) + field(b"UpToDate") +
       u16(3) + field(BACKUP_SALT) + field(CAS_SPKI) + field(SW_SPKI) + u64(1700000000))
show("backup entry aad", aad)
KEK_SHARED = bytes(range(0x60, 0x80))
kek = hkdf_sha256(KEK_SHARED, b"scone-cas-backup-wrap v1", aad, 32)
show("backup kek, shared 60..7f", kek)
WRAP_NONCE = bytes.fromhex("e0e1e2e3e4e5e6e7e8e9eaeb")
show("wrapped database key (80..9f)", gcm(kek, WRAP_NONCE, DB_KEY, aad))

# --- Writer mark (src/store/writer_mark.h, docs/backup.md "One writer") --------------------
# "SCONE-WM" || u16 version 1 || u16 key ISVSVN || tag (16) || AES-256-GCM(mark key,
# key id (16) || u64 generation, AAD = the 28 header bytes); tag and mark key are
# HKDF-SHA256(seal key, salt "scone-store", info "scone-store writer-mark tag v1" / "... key v1").
print("\n# writer_mark_kat_test.cc")
WM_SEAL_KEY = bytes(range(0x40, 0x60))
WM_NONCE = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9fafb")
wm_tag = hkdf_sha256(WM_SEAL_KEY, b"scone-store", b"scone-store writer-mark tag v1", 16)
wm_key = hkdf_sha256(WM_SEAL_KEY, b"scone-store", b"scone-store writer-mark key v1", 32)
wm_header = b"SCONE-WM" + u16(1) + u16(3) + wm_tag
show("writer mark header svn 3", wm_header)
show("writer mark svn 3, key id 10..1f, generation 0x0102030405",
     wm_header + gcm(wm_key, WM_NONCE, ENTRY_KEY_ID + u64(0x0102030405), wm_header))

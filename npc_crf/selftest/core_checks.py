"""The self-test's checks of the installation itself: program, fonts, SQLCipher,
cryptography and the study definitions (nothing here writes outside a temporary folder)."""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from npc_crf import __version__
from npc_crf.core.paths import (
    bundled_forms_dir,
    default_data_dir,
    install_root,
    is_frozen,
    resources_dir,
)
from npc_crf.selftest.runner import Check, CheckFailed
from npc_crf.store.keyfile import KdfCost, derive_password_key

# RFC 8032 §7.1, TEST 1: Ed25519 of the empty message
ED25519_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"  # noqa: S105 - a published test key
ED25519_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
ED25519_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
# RFC 7748 §6.1: X25519 between Alice and Bob
X25519_ALICE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
X25519_BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
X25519_SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_program(context: dict[str, Any]) -> str:
    """Version, Python and where things are; the data folder must not be the program's."""
    root = install_root()
    for needed in (bundled_forms_dir(), resources_dir()):
        if not needed.is_dir():
            raise CheckFailed(f"{needed} is missing: the installation is incomplete.")
    data = default_data_dir()
    if is_frozen() and _inside(data, Path(sys.executable).parent):
        raise CheckFailed(
            f"the data folder {data} is inside the program folder; an upgrade would replace it."
        )
    build = "frozen build" if is_frozen() else "Python installation"
    return (
        f"npc-crf {__version__} ({build}), Python {platform.python_version()} on "
        f"{platform.system()} {platform.release()} {platform.machine()}; program in {root}; "
        f"data in {data}"
    )


def check_pdf_fonts(context: dict[str, Any]) -> str:
    """The shipped fonts, their licences, and Chinese glyphs for the printed documents."""
    from reportlab.pdfbase import pdfmetrics

    from npc_crf.reports.fonts import FONT, MAIN_FILE, SYMBOLS_FILE, fonts_dir, register_fonts

    folder = fonts_dir()
    licences = sorted(p.name for p in folder.glob("LICENSE*"))
    if len(licences) < 2:
        raise CheckFailed(f"the font licences are missing from {folder} (found {licences}).")
    register_fonts()
    covered = pdfmetrics.getFont(FONT).face.charToGlyph
    missing = [c for c in "信迪利单抗 200 mg 鼻咽癌" if c != " " and ord(c) not in covered]
    if missing:
        raise CheckFailed(f"{MAIN_FILE} has no glyph for {''.join(missing)}.")
    return f"{MAIN_FILE} and {SYMBOLS_FILE} registered; Chinese and Latin glyphs present"


def check_sqlcipher(context: dict[str, Any]) -> str:
    """An encrypted database: written, unreadable as plain SQLite and with a wrong key."""
    import os

    from npc_crf.core.errors import StoreError
    from npc_crf.store.engine import connect_raw

    with tempfile.TemporaryDirectory(prefix="npc-crf-selftest-") as folder:
        path = Path(folder) / "check.db"
        key = os.urandom(32)
        con = connect_raw(path, key)
        try:
            con.execute("CREATE TABLE t (v TEXT)")
            con.execute("INSERT INTO t VALUES ('self-test marker')")
            version = con.execute("PRAGMA cipher_version").fetchone()[0]
            provider = con.execute("PRAGMA cipher_provider").fetchone()[0]
        finally:
            con.close()
        raw = path.read_bytes()
        if raw.startswith(b"SQLite format 3") or b"self-test marker" in raw:
            raise CheckFailed("the database file was written unencrypted.")
        try:
            wrong = connect_raw(path, os.urandom(32))
            wrong.close()
        except StoreError:
            pass
        else:
            raise CheckFailed("a wrong key opened the database.")
        con = connect_raw(path, key)
        try:
            (value,) = con.execute("SELECT v FROM t").fetchone()
        finally:
            con.close()
        if value != "self-test marker":
            raise CheckFailed("the value read back differs from the one written.")
    return f"SQLCipher {version} ({provider}); encrypted on disk; a wrong key is refused"


def check_cryptography(context: dict[str, Any]) -> str:
    """Known answers for Ed25519 (RFC 8032) and X25519 (RFC 7748); AES-256-GCM refuses a
    changed byte; Argon2id (the key files' password hashing) at the cost logins use."""
    import os

    import cryptography
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.backends.openssl.backend import backend
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    signer = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(ED25519_SECRET))
    public = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if public.hex() != ED25519_PUBLIC or signer.sign(b"").hex() != ED25519_SIGNATURE:
        raise CheckFailed("Ed25519 gives a different answer from RFC 8032 test 1.")
    alice = X25519PrivateKey.from_private_bytes(bytes.fromhex(X25519_ALICE))
    shared = alice.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(X25519_BOB_PUBLIC)))
    if shared.hex() != X25519_SHARED:
        raise CheckFailed("X25519 gives a different answer from RFC 7748 §6.1.")
    aead, nonce = AESGCM(AESGCM.generate_key(bit_length=256)), os.urandom(12)
    sealed = bytearray(aead.encrypt(nonce, b"self-test", b"aad"))
    sealed[0] ^= 1
    try:
        aead.decrypt(nonce, bytes(sealed), b"aad")
    except InvalidTag:
        pass
    else:
        raise CheckFailed("AES-256-GCM accepted a changed byte.")
    cost = KdfCost()  # what every login pays: the time tells whether this PC is too slow
    start = time.perf_counter()
    derive_password_key("self-test", bytes(16), cost)
    login_ms = (time.perf_counter() - start) * 1000
    return (
        f"cryptography {cryptography.__version__}, {backend.openssl_version_text()}; "
        f"Argon2id at the login cost ({cost.memory_kib // 1024} MiB) takes {login_ms:.0f} ms"
    )


def check_studies(context: dict[str, Any]) -> str:
    """Every bundled study definition loads without a problem."""
    from npc_crf.forms.canonical import study_hash
    from npc_crf.forms.loader import load_studies

    studies = load_studies(bundled_forms_dir())
    if not studies:
        raise CheckFailed(f"no study definition in {bundled_forms_dir()}.")
    return "; ".join(
        f"{s.oid} {s.version}: {len(s.forms)} forms, hash {study_hash(s)[:12]}" for s in studies
    )


CORE_CHECKS = (
    Check("program", "Program and folders", check_program),
    Check("pdf-fonts", "Fonts of the printed documents", check_pdf_fonts),
    Check("sqlcipher", "Encrypted database (SQLCipher)", check_sqlcipher),
    Check("cryptography", "Cryptography backend", check_cryptography),
    Check("studies", "Study definitions", check_studies),
)

"""P1, first version: the signing path against a plain stock-pyHanko script, same run.

Ours: render the commitment, sign it (PAdES B-B, fresh per-signing certificate, key kept as
an object, ``bytes_reserved``), hash it and put it in the content-addressed store.
Reference: the same render, then a plain script's signature on that PDF with stock calls —
``SimpleSigner.load`` from PEM files every time and no ``bytes_reserved`` — then the same
hash. Both sign the same fields with the same chain, so the ratio isolates the adapter.

Run: ``DJANGO_SETTINGS_MODULE=config.settings.test python bench/bench_signing.py [rounds]``.
B-T / B-LTA (timestamps, the platform seal) and the DB row come with later issues.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from cryptography.hazmat.primitives import serialization  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402

from signing.ca import ca_get, issue_signer_certificate  # noqa: E402
from signing.pades import SignerIdentity, sign_pdf, validate_pdf  # noqa: E402
from signing.pdf import CommitmentDocument, render_commitment_pdf  # noqa: E402
from signing.storage import FileSystemStorage, document_key  # noqa: E402

SIGNER = SignerIdentity(
    subject_code="91310000MA1FL0000X",
    subject_name="上海示例餐饮管理有限公司",
    is_organisation=True,
    user_label="bench",
)
DOCUMENT = CommitmentDocument(
    reference="CN-2025-000123",
    title="食品经营许可告知承诺书",
    template_label="food-permit v1",
    subject_name=SIGNER.subject_name,
    subject_code=SIGNER.subject_code,
    matter="食品经营许可（新办）",
    notice=tuple(
        (f"第{number}条", "申请人应当具有与经营的食品品种、数量相适应的食品原料处理场所。" * 6)
        for number in range(1, 9)
    ),
    commitment_text="本单位郑重承诺：所填写的信息真实、准确、完整；愿意承担不实承诺的法律责任。"
    * 5,
    fields=tuple((f"项目{number}", f"填报内容 {number}") for number in range(1, 13)),
    obligations=tuple((f"义务{number}", f"2025-{number:02d}-28 前") for number in range(1, 6)),
)


def _time_interleaved(functions: dict[str, Callable[[], object]], rounds: int) -> dict:
    """Time each function ``rounds`` times, in rotation, and return milliseconds per name.

    Rotating (A, B, C, A, B, C ...) rather than running A's rounds then B's spreads the
    noise of a shared machine over every path alike, which keeps the ratios honest.
    """
    timings: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(timings),
        "min_ms": min(timings),
        "max_ms": max(timings),
    }


def _stock_signer_files(folder: Path) -> tuple[Path, Path, Path]:
    """Write a signer key, its certificate and the CA certificate as PEM, as a script would."""
    private_key, certificate = issue_signer_certificate(identity=SIGNER)
    key_path, cert_path, ca_path = folder / "signer.key", folder / "signer.crt", folder / "ca.crt"
    key_path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    ca_path.write_bytes(ca_get().certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, ca_path


def _stock_sign(pdf: bytes, *, key_path: Path, cert_path: Path, ca_path: Path) -> bytes:
    """Sign the way a plain script does: load from PEM every time, no ``bytes_reserved``."""
    signer = signers.SimpleSigner.load(
        str(key_path), str(cert_path), ca_chain_files=(str(ca_path),)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name in ("Applicant", "PlatformSeal"):
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=name))
    metadata = signers.PdfSignatureMetadata(
        field_name="Applicant", subfilter=fields.SigSeedSubFilter.PADES, reason="承诺"
    )
    output = io.BytesIO()
    signers.PdfSigner(metadata, signer=signer).sign_pdf(writer, output=output)
    return output.getvalue()


def _openssl_ecdsa_p256() -> float | None:
    """Return OpenSSL's raw ECDSA P-256 signatures per second on one core, if available."""
    if shutil.which("openssl") is None:
        return None
    completed = subprocess.run(
        ["openssl", "speed", "-seconds", "1", "ecdsap256"],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)", completed.stdout)
    return float(match.group(1)) if match else None


def run(rounds: int) -> dict:
    """Measure both paths ``rounds`` times each (after a warm-up) and return the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as folder:
        storage = FileSystemStorage(root=Path(folder) / "documents")
        key_path, cert_path, ca_path = _stock_signer_files(Path(folder))
        rendered = render_commitment_pdf(DOCUMENT)

        def ours() -> None:
            pdf = render_commitment_pdf(DOCUMENT)
            signed = sign_pdf(pdf, signer=SIGNER, reason="承诺")
            sha256 = hashlib.sha256(signed.data).hexdigest()
            storage.put(document_key(sha256=sha256), signed.data)

        def stock() -> None:
            pdf = render_commitment_pdf(DOCUMENT)
            signed = _stock_sign(pdf, key_path=key_path, cert_path=cert_path, ca_path=ca_path)
            hashlib.sha256(signed).hexdigest()

        def ours_sign_only() -> None:
            sign_pdf(rendered, signer=SIGNER, reason="承诺")

        def stock_sign_only() -> None:
            _stock_sign(rendered, key_path=key_path, cert_path=cert_path, ca_path=ca_path)

        # Warm up: fonts, CA, imports; and check both outputs validate.
        assert validate_pdf(sign_pdf(rendered, signer=SIGNER, reason="承诺").data).is_valid
        stock_pdf = _stock_sign(rendered, key_path=key_path, cert_path=cert_path, ca_path=ca_path)
        assert validate_pdf(stock_pdf).is_valid
        ours()
        stock()

        signed = sign_pdf(rendered, signer=SIGNER, reason="承诺").data
        counter = iter(range(10**9))

        def store_only() -> None:
            # fresh bytes each time, so every round really writes and fsyncs a file
            data = signed + b"%" + str(next(counter)).encode()
            storage.put(document_key(sha256=hashlib.sha256(data).hexdigest()), data)

        timings = _time_interleaved(
            {
                "render": lambda: render_commitment_pdf(DOCUMENT),
                "ours": ours,
                "stock": stock,
                "ours_sign_only": ours_sign_only,
                "stock_sign_only": stock_sign_only,
                "store": store_only,
                "validate": lambda: validate_pdf(stock_pdf),
            },
            rounds,
        )
        results: dict = {"rounds": rounds, "pdf_bytes": len(rendered)}
        results.update({name: _summary(values) for name, values in timings.items()})
    results["ratio"] = results["stock"]["median_ms"] / results["ours"]["median_ms"]
    results["ratio_sign_only"] = (
        results["stock_sign_only"]["median_ms"] / results["ours_sign_only"]["median_ms"]
    )
    results["commitments_per_second_one_core"] = 1000 / results["ours"]["median_ms"]
    results["openssl_ecdsa_p256_signs_per_second"] = _openssl_ecdsa_p256()
    return results


def main() -> None:
    """Print the figures of ``run``."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    results = run(rounds)
    print(f"P1 signing, {rounds} rounds, PDF {results['pdf_bytes']} bytes (B-B, one signature)")
    for label, key in (
        ("render only", "render"),
        ("ours: render + sign + hash + store", "ours"),
        ("stock: render + sign + hash", "stock"),
        ("ours: sign only", "ours_sign_only"),
        ("stock: sign only", "stock_sign_only"),
        ("store only (hash + write + fsync)", "store"),
        ("validate (pyHanko, B-B)", "validate"),
    ):
        figures = results[key]
        print(
            f"  {label:<38} median {figures['median_ms']:7.2f} ms"
            f"  min {figures['min_ms']:7.2f}  max {figures['max_ms']:7.2f}"
        )
    print(f"  ratio stock/ours (full path)          {results['ratio']:.2f}x")
    print(f"  ratio stock/ours (sign only)          {results['ratio_sign_only']:.2f}x")
    print(
        f"  commitments/s, one core               {results['commitments_per_second_one_core']:.1f}"
    )
    openssl_rate = results["openssl_ecdsa_p256_signs_per_second"]
    if openssl_rate is not None:
        print(f"  openssl ECDSA P-256 signs/s, one core {openssl_rate:,.0f}")


if __name__ == "__main__":
    main()

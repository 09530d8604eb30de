"""P1: the full signing path against a plain stock-pyHanko script, same run, same TSA.

Ours: render the commitment, the applicant's signature at B-T (fresh per-signing
certificate, key kept as an object, ``bytes_reserved``), the platform seal at B-LTA in two
incremental updates (the seal with its pre-drawn stamp; then the DSS built from the known
chains and CRL, and a document timestamp), hash and put it in the content-addressed store.
Our HTTP timestamp client is a plain blocking POST; the stock script uses pyHanko's aiohttp
client, as a plain script would. Timestamps come from the platform's TSA served
over HTTP by a separate process on loopback (``SIGNING_TSA_URL``), and, as a second
figure, from the embedded authority in-process (the embedded default).
Reference: the same render, then a plain script doing the same signatures with stock calls:
``SimpleSigner.load`` from PEM files (applicant and seal) every time, pyHanko's stock
``HTTPTimeStamper`` against the same TSA, ``add_validation_info``, the seal with a static
stamp from a PDF file, no ``bytes_reserved``; then the same hash and file write.
Throughput: the full path in two processes at once (both cores).

Run: ``DATABASE_URL=postgres://... python bench/bench_signing.py [rounds]``.
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

from signing.ca.authority import ca_get  # noqa: E402
from signing.ca.issue import issue_signer_certificate  # noqa: E402
from signing.ca.keys import platform_key  # noqa: E402
from signing.ca.revocation import crl_der  # noqa: E402
from signing.identity import SignerIdentity  # noqa: E402
from signing.pades.seal import seal_pdf  # noqa: E402
from signing.pades.sign import sign_pdf  # noqa: E402
from signing.pades.validate import validate_pdf  # noqa: E402
from signing.render.commitment import CommitmentDocument, render_commitment_pdf  # noqa: E402
from signing.render.stamp import render_seal_stamp  # noqa: E402
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


VERIFY_URL = "http://127.0.0.1:8000/verify/CN-2025-000123/"


def _stock_full(
    pdf: bytes, *, files: dict[str, Path], tsa_url: str, folder: Path, counter: int
) -> bytes:
    """The plain script: B-T applicant signature, DSS, B-LTA seal with a static stamp."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import timestamps
    from pyhanko.sign.validation import add_validation_info
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator import ValidationContext

    stamper = timestamps.HTTPTimeStamper(tsa_url)
    applicant = signers.SimpleSigner.load(
        str(files["signer_key"]), str(files["signer_crt"]), ca_chain_files=(str(files["ca"]),)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name="Applicant"))
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(sig_field_name="PlatformSeal", on_page=0, box=(311, 793, 538, 841)),
    )
    signed = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Applicant", subfilter=fields.SigSeedSubFilter.PADES, reason="承诺"
        ),
        signer=applicant,
        timestamper=stamper,
    ).sign_pdf(writer, output=signed)
    root = asn1_x509.Certificate.load(ca_get().certificate.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], crls=[crl_der()], allow_fetching=False)
    reader = PdfFileReader(signed, strict=False)
    with_dss = add_validation_info(reader.embedded_regular_signatures[0], context)
    seal = signers.SimpleSigner.load(
        str(files["seal_key"]), str(files["seal_crt"]), ca_chain_files=(str(files["ca"]),)
    )
    output = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="PlatformSeal",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=True,
            use_pades_lta=True,
            validation_context=ValidationContext(
                trust_roots=[root], crls=[crl_der()], allow_fetching=False
            ),
        ),
        signer=seal,
        timestamper=stamper,
        stamp_style=StaticStampStyle.from_pdf_file(str(files["stamp"]), border_width=0),
    ).sign_pdf(IncrementalPdfFileWriter(with_dss, strict=False), output=output)
    data = output.getvalue()
    (folder / f"stock-{counter}.pdf").write_bytes(data)
    hashlib.sha256(data).hexdigest()
    return data


def _start_tsa_server() -> tuple[subprocess.Popen, str]:
    """Serve the Django app (its /tsa/) from a separate process on a free loopback port."""
    import socket

    from django.conf import settings

    platform_key("tsa")  # create the CA and the TSA key here, before the server reads them

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "import os,sys,django;sys.path.insert(0,%r);django.setup();"  # noqa: UP031
        "from django.conf import settings;"
        "settings.SIGNING_CA_CERT_PATH=%r;settings.SIGNING_CA_KEY_PATH=%r;"
        "from wsgiref.simple_server import make_server,WSGIRequestHandler;"
        "from django.core.handlers.wsgi import WSGIHandler;"
        "WSGIRequestHandler.log_message=lambda *a:None;"
        "make_server('127.0.0.1',%d,WSGIHandler()).serve_forever()"
    ) % (
        str(Path(__file__).resolve().parent.parent),
        str(settings.SIGNING_CA_CERT_PATH),
        str(settings.SIGNING_CA_KEY_PATH),
        port,
    )
    process = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
    url = f"http://127.0.0.1:{port}/tsa/"
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback
        except urllib.error.HTTPError:
            return process, url  # 405 on GET: it answers
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the TSA server did not start")


def _throughput(count: int, processes: int, store_root: Path) -> float:
    """Run the full path ``count`` times in each of ``processes`` forked workers; return /s."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")

    def work(index: int) -> None:
        storage = FileSystemStorage(root=store_root / f"worker-{index}")
        for _ in range(count):
            pdf = render_commitment_pdf(DOCUMENT)
            signed = sign_pdf(pdf, signer=SIGNER, reason="承诺")
            sealed = seal_pdf(signed.data, reference=DOCUMENT.reference, verify_url=VERIFY_URL)
            storage.put(document_key(sha256=hashlib.sha256(sealed.data).hexdigest()), sealed.data)

    workers = [context.Process(target=work, args=(index,)) for index in range(processes)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return processes * count / (time.perf_counter() - started)


def run(rounds: int = 20) -> dict:
    """Measure both paths ``rounds`` times each (after a warm-up) and return the figures."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    tsa_process, tsa_url = _start_tsa_server()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-signing-") as folder_name:
            folder = Path(folder_name)
            storage = FileSystemStorage(root=folder / "documents")
            key_path, cert_path, ca_path = _stock_signer_files(folder)
            seal = platform_key("seal")
            files = {
                "signer_key": key_path,
                "signer_crt": cert_path,
                "ca": ca_path,
                "seal_key": folder / "seal.key",
                "seal_crt": folder / "seal.crt",
                "stamp": folder / "stamp.pdf",
            }
            files["seal_key"].write_bytes(
                seal.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            files["seal_crt"].write_bytes(seal.certificate.public_bytes(serialization.Encoding.PEM))
            from datetime import UTC, datetime

            files["stamp"].write_bytes(
                render_seal_stamp(
                    reference=DOCUMENT.reference, sealed_at=datetime.now(UTC), verify_url=VERIFY_URL
                )
            )
            rendered = render_commitment_pdf(DOCUMENT)
            counter = iter(range(10**9))

            def ours(http: bool) -> Callable[[], None]:
                def path() -> None:
                    settings.SIGNING_TSA_URL = tsa_url if http else ""
                    pdf = render_commitment_pdf(DOCUMENT)
                    signed = sign_pdf(pdf, signer=SIGNER, reason="承诺")
                    sealed = seal_pdf(
                        signed.data, reference=DOCUMENT.reference, verify_url=VERIFY_URL
                    )
                    sha256 = hashlib.sha256(sealed.data).hexdigest()
                    storage.put(document_key(sha256=sha256), sealed.data)

                return path

            def stock() -> None:
                _stock_full(
                    render_commitment_pdf(DOCUMENT),
                    files=files,
                    tsa_url=tsa_url,
                    folder=folder,
                    counter=next(counter),
                )

            # Warm up, and check that both outputs validate.
            ours(True)()
            ours(False)()
            settings.SIGNING_TSA_URL = tsa_url
            check = seal_pdf(
                sign_pdf(rendered, signer=SIGNER, reason="承诺").data,
                reference=DOCUMENT.reference,
                verify_url=VERIFY_URL,
            )
            assert validate_pdf(check.data).is_valid
            stock_pdf = _stock_full(
                rendered, files=files, tsa_url=tsa_url, folder=folder, counter=next(counter)
            )
            assert validate_pdf(stock_pdf).is_valid
            timings = _time_interleaved(
                {
                    "render": lambda: render_commitment_pdf(DOCUMENT),
                    "ours_http_tsa": ours(True),
                    "ours_embedded_tsa": ours(False),
                    "stock": stock,
                    "validate_b_lta": lambda: validate_pdf(check.data),
                },
                rounds,
            )
            results: dict = {"rounds": rounds, "pdf_bytes": len(rendered)}
            results.update({name: _summary(values) for name, values in timings.items()})
            settings.SIGNING_TSA_URL = ""
            per_process = max(rounds, 10)
            results["throughput_two_processes"] = _throughput(per_process, 2, folder / "tp")
            results["throughput_one_process"] = _throughput(per_process, 1, folder / "tp1")
    finally:
        tsa_process.terminate()
        tsa_process.wait(timeout=10)
    results["ratio_http"] = results["stock"]["median_ms"] / results["ours_http_tsa"]["median_ms"]
    results["ratio_embedded"] = (
        results["stock"]["median_ms"] / results["ours_embedded_tsa"]["median_ms"]
    )
    results["openssl_ecdsa_p256_signs_per_second"] = _openssl_ecdsa_p256()
    return results


def main() -> None:
    """Print the figures of ``run``."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    results = run(rounds)
    print(
        f"P1 signing, {rounds} rounds, PDF {results['pdf_bytes']} bytes"
        " (applicant B-T + platform seal B-LTA + store)"
    )
    for label, key in (
        ("render only", "render"),
        ("ours, TSA over HTTP", "ours_http_tsa"),
        ("ours, embedded TSA in-process", "ours_embedded_tsa"),
        ("stock script, TSA over HTTP", "stock"),
        ("validate the sealed PDF (pyHanko)", "validate_b_lta"),
    ):
        figures = results[key]
        print(
            f"  {label:<36} median {figures['median_ms']:7.2f} ms"
            f"  min {figures['min_ms']:7.2f}  max {figures['max_ms']:7.2f}"
        )
    print(f"  ratio stock/ours (same HTTP TSA)     {results['ratio_http']:.2f}x (target >= 2)")
    print(f"  ratio stock/ours (embedded TSA)      {results['ratio_embedded']:.2f}x")
    print(f"  commitments/s, 1 process             {results['throughput_one_process']:.1f}")
    print(
        f"  commitments/s, 2 processes           {results['throughput_two_processes']:.1f}"
        " (target >= 20)"
    )
    openssl_rate = results["openssl_ecdsa_p256_signs_per_second"]
    if openssl_rate is not None:
        print(f"  openssl ECDSA P-256 signs/s, 1 core  {openssl_rate:,.0f}")


if __name__ == "__main__":
    main()

"""``manage.py signing_ca``: create, import and check the production CA with real key files."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from signing.ca.authority import ca_clear_cache, ca_get
from signing.ca.issue import issue_signer_certificate

PASSWORD = "correct horse battery staple"


@pytest.fixture
def production(settings):
    """Production-like CA settings: nothing is created on first use, the password is set."""
    settings.SIGNING_CA_AUTOCREATE = False
    settings.SIGNING_CA_KEY_PASSWORD = PASSWORD
    settings.SIGNING_CA_PKCS11 = None
    return settings


def _run(*args: str) -> str:
    output = StringIO()
    call_command("signing_ca", *args, stdout=output)
    return output.getvalue()


def _mode(path: str | Path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def _files(settings) -> list[str]:
    folder = Path(settings.SIGNING_CA_KEY_PATH).parent
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _external_ca(
    folder: Path,
    *,
    is_ca: bool = True,
    days: int = 3650,
    start: timedelta = timedelta(days=1),
    key_password: bytes | None = b"exported by the old system",
) -> tuple[Path, Path]:
    """Write a CA made elsewhere (RSA-3072, like many city CAs) as PEM files in ``folder``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "深圳市信用承诺平台根证书")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - start)
        .not_valid_after(now - start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .sign(key, hashes.SHA384())
    )
    folder.mkdir(exist_ok=True)
    cert_path, key_path = folder / "old-ca.crt", folder / "old-ca.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    encryption = (
        serialization.BestAvailableEncryption(key_password)
        if key_password
        else serialization.NoEncryption()
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return cert_path, key_path


def _secret(path: Path, text: str, *, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


# create


def test_create_writes_an_encrypted_key_0600_that_the_platform_then_signs_with(production):
    # when
    output = _run("create", "--key-type", "ec-p384")

    # then the key is encrypted with the configured password and only its owner may read it
    key_path = Path(production.SIGNING_CA_KEY_PATH)
    assert _mode(key_path) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_path.read_bytes()
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=PASSWORD.encode())
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1"
    # and the platform, which may not create a CA, loads this one and issues from it
    authority = ca_get()
    assert output.splitlines()[-1] == f"SHA-256 fingerprint: {authority.fingerprint_sha256}"
    assert output.splitlines()[1] == f"Key: {key_path}"
    _key, signer = issue_signer_certificate(identity=_identity())
    signer.verify_directly_issued_by(authority.certificate)
    # and the new CA passes its check
    assert _run("check").splitlines()[-1] == "The platform CA passed every check."


def test_create_reads_the_password_from_the_password_file(production, tmp_path):
    # given the password in a file of the service user, mode 0600, and none in the environment
    production.SIGNING_CA_KEY_PASSWORD = ""
    production.SIGNING_CA_KEY_PASSWORD_FILE = str(_secret(tmp_path / "ca-password", PASSWORD))

    # when
    _run("create")

    # then
    key = Path(production.SIGNING_CA_KEY_PATH).read_bytes()
    assert serialization.load_pem_private_key(key, password=PASSWORD.encode())
    assert "passed every check" in _run("check")


def test_create_refuses_without_a_password_and_writes_nothing(production):
    # given no password anywhere
    production.SIGNING_CA_KEY_PASSWORD = ""

    # when / then
    with pytest.raises(CommandError, match="No password for the CA key: set SIGNING_CA_KEY_"):
        _run("create")
    assert _files(production) == []


def test_create_refuses_a_short_password(production):
    production.SIGNING_CA_KEY_PASSWORD = "short"

    with pytest.raises(CommandError, match="5 characters; at least 12 are needed"):
        _run("create")
    assert _files(production) == []


def test_create_refuses_a_password_file_others_may_read(production, tmp_path):
    production.SIGNING_CA_KEY_PASSWORD = ""
    password_file = _secret(tmp_path / "ca-password", PASSWORD, mode=0o644)
    production.SIGNING_CA_KEY_PASSWORD_FILE = str(password_file)

    with pytest.raises(CommandError, match="mode 0644: the group or others may access it"):
        _run("create")
    assert _files(production) == []


def test_create_never_replaces_an_existing_ca(production):
    # given a CA
    _run("create")
    before = Path(production.SIGNING_CA_KEY_PATH).read_bytes()

    # when / then
    with pytest.raises(CommandError, match="A CA already exists .* nothing was changed"):
        _run("create")
    assert Path(production.SIGNING_CA_KEY_PATH).read_bytes() == before


def test_no_option_takes_a_password_on_the_command_line(production):
    with pytest.raises(CommandError, match="unrecognized arguments: --password"):
        _run("create", "--password", PASSWORD)
    assert _files(production) == []


# import


def test_import_reencrypts_the_key_with_the_platform_password(production, tmp_path):
    # given a CA made elsewhere, its key encrypted with another password in a 0600 file
    cert_path, key_path = _external_ca(tmp_path / "old")
    password_file = _secret(tmp_path / "old-password", "exported by the old system")

    # when
    output = _run(
        "import", "--certificate", str(cert_path), "--key", str(key_path),
        "--key-password-file", str(password_file),
    )  # fmt: skip

    # then the key is stored under the platform's password, 0600
    stored = Path(production.SIGNING_CA_KEY_PATH)
    assert _mode(stored) == 0o600
    key = serialization.load_pem_private_key(stored.read_bytes(), password=PASSWORD.encode())
    imported = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert key.public_key() == imported.public_key()
    assert ca_get().certificate == imported
    assert output.startswith("Imported platform CA CN=深圳市信用承诺平台根证书")
    assert "passed every check" in _run("check")


def test_import_takes_the_key_password_from_the_environment(production, tmp_path, monkeypatch):
    cert_path, key_path = _external_ca(tmp_path / "old")
    monkeypatch.setenv("SIGNING_CA_IMPORT_KEY_PASSWORD", "exported by the old system")

    _run("import", "--certificate", str(cert_path), "--key", str(key_path))

    assert ca_get().certificate == x509.load_pem_x509_certificate(cert_path.read_bytes())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"is_ca": False}, "basic constraints say it is not a CA"),
        ({"days": 30, "start": timedelta(days=60)}, "it expired on"),
    ],
)
def test_import_refuses_a_certificate_that_cannot_be_a_ca(production, tmp_path, change, message):
    cert_path, key_path = _external_ca(tmp_path / "old", key_password=None, **change)

    with pytest.raises(CommandError, match=message):
        _run("import", "--certificate", str(cert_path), "--key", str(key_path))
    assert _files(production) == []


def test_import_refuses_a_key_of_another_certificate(production, tmp_path):
    cert_path, _key = _external_ca(tmp_path / "one", key_password=None)
    _cert, other_key = _external_ca(tmp_path / "two", key_password=None)

    with pytest.raises(CommandError, match="The key does not belong to the certificate"):
        _run("import", "--certificate", str(cert_path), "--key", str(other_key))
    assert _files(production) == []


def test_import_refuses_a_wrong_key_password(production, tmp_path, monkeypatch):
    cert_path, key_path = _external_ca(tmp_path / "old")
    monkeypatch.setenv("SIGNING_CA_IMPORT_KEY_PASSWORD", "not the password")

    with pytest.raises(CommandError, match="wrong password, or not a PEM key"):
        _run("import", "--certificate", str(cert_path), "--key", str(key_path))
    assert _files(production) == []


# check


def _check_failure(*, line: str) -> str:
    output = StringIO()
    with pytest.raises(CommandError, match="The platform CA failed") as raised:
        call_command("signing_ca", "check", stdout=output)
    assert line in output.getvalue(), output.getvalue()
    return str(raised.value)


def test_check_refuses_a_key_the_group_may_read(production):
    _run("create")
    Path(production.SIGNING_CA_KEY_PATH).chmod(0o640)

    message = _check_failure(line="FAILED  key file: ")
    assert "key file" in message
    assert "has mode 0640: the group or others may access it" in _run_check_output()


def test_check_refuses_a_key_owned_by_another_user(production):
    if os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root")
    _run("create")
    os.chown(production.SIGNING_CA_KEY_PATH, 65534, -1)

    _check_failure(line="is owned by uid 65534, not by this service's user")


def test_check_refuses_a_password_that_does_not_open_the_key(production):
    _run("create")
    production.SIGNING_CA_KEY_PASSWORD = "another long password"
    ca_clear_cache()

    _check_failure(line="FAILED  key password: SIGNING_CA_KEY_PASSWORD does not open the key")


def test_check_refuses_an_unencrypted_key(production, tmp_path):
    cert_path, key_path = _external_ca(tmp_path / "old", key_password=None)
    Path(production.SIGNING_CA_KEY_PATH).parent.mkdir(parents=True)
    _secret(Path(production.SIGNING_CA_KEY_PATH), key_path.read_text())
    Path(production.SIGNING_CA_CERT_PATH).write_bytes(cert_path.read_bytes())
    production.SIGNING_CA_KEY_PASSWORD = ""

    _check_failure(line="FAILED  key password: the key is not encrypted")


def test_check_refuses_a_key_that_does_not_belong_to_the_certificate(production, tmp_path):
    _run("create")
    other, _key = _external_ca(tmp_path / "old")
    Path(production.SIGNING_CA_CERT_PATH).write_bytes(other.read_bytes())

    _check_failure(line="FAILED  key matches certificate: the key does not belong")


def test_check_refuses_a_certificate_that_is_not_a_ca(production, tmp_path):
    cert_path, key_path = _external_ca(tmp_path / "old", is_ca=False, key_password=None)
    Path(production.SIGNING_CA_KEY_PATH).parent.mkdir(parents=True)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    Path(production.SIGNING_CA_KEY_PATH).write_bytes(pem)
    Path(production.SIGNING_CA_KEY_PATH).chmod(0o600)
    Path(production.SIGNING_CA_CERT_PATH).write_bytes(cert_path.read_bytes())

    _check_failure(line="FAILED  ca constraints: its basic constraints say it is not a CA")


def test_check_warns_when_little_validity_is_left_and_fails_when_missing(production):
    # given a CA with 100 days left
    _run("create", "--days", "100")

    # then a warning, not a failure
    output = _run("check")
    assert "WARNING validity: valid until" in output
    assert "plan a new CA" in output
    # and without the certificate: a failure that names the file
    Path(production.SIGNING_CA_CERT_PATH).unlink()
    _check_failure(line=f"FAILED  certificate: Cannot read {production.SIGNING_CA_CERT_PATH}")


def _run_check_output() -> str:
    output = StringIO()
    with pytest.raises(CommandError):
        call_command("signing_ca", "check", stdout=output)
    return output.getvalue()


def _identity():
    from signing.identity import SignerIdentity

    return SignerIdentity(
        subject_code="91440300MA5FL0000X",
        subject_name="深圳市示例餐饮有限公司",
        is_organisation=True,
        user_label="user-1",
    )

"""A SoftHSM2 token of a test's own, for the PKCS#11 tests (seal and CA keys on a device)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

requires_softhsm = pytest.mark.skipif(
    shutil.which("softhsm2-util") is None or not Path(SOFTHSM_MODULE).exists(),
    reason="SoftHSM2 is not installed (Debian package softhsm2; scripts/test installs it)",
)


def softhsm_token_init(folder: Path, monkeypatch, *, label: str, pin: str, so_pin: str) -> None:
    """Initialise an empty token ``label`` kept in ``folder``; load the module afresh on it."""
    import pkcs11

    tokens = folder / "softhsm-tokens"
    tokens.mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label,
         "--so-pin", so_pin, "--pin", pin],
        check=True,
        capture_output=True,
    )  # fmt: skip
    pkcs11.lib(SOFTHSM_MODULE).reinitialize()  # read this test's SOFTHSM2_CONF

"""The identity a signature is made for, shared by ``signing.ca`` and ``signing.pades``.

It lives in its own module so that the CA (which issues the certificate) and the PAdES
adapter (which signs with it) both depend on it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignerIdentity:
    """An authenticated applicant: the subject (company or person) and the acting user.

    ``subject_code`` is the unified social credit code of a company or the identity number
    of a person; validation matches signers on it, never on the name.
    """

    subject_code: str
    subject_name: str
    is_organisation: bool
    user_label: str

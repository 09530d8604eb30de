"""The REST API over the commitment services and selectors (version 1).

Each endpoint parses its input, calls one service or selector and shapes the answer; the
rules are the ones the pages obey because they live in ``services`` and ``selectors``.
Every refusal has one JSON shape, ``{"code", "message", "fields"}``, so a client parses one
thing whether the serializer or the domain said no.
"""

from commitments.lifecycle.api.commitments import (
    CommitmentCreateApi,
    CommitmentDetailApi,
    CommitmentDocumentApi,
    CommitmentListApi,
    CommitmentPreviewApi,
    CommitmentWithdrawApi,
)
from commitments.lifecycle.api.common import CommitmentDetailSerializer, commitment_detail_data
from commitments.lifecycle.api.subjects import SubjectListApi, SubjectRegisterApi, TemplateListApi
from config.api_errors import exception_handler
from config.api_pagination import PAGE_PARAMETERS, paginated, paginated_response
from directory.errors import error_responses

__all__ = [
    "PAGE_PARAMETERS",
    "CommitmentCreateApi",
    "CommitmentDetailApi",
    "CommitmentDetailSerializer",
    "CommitmentDocumentApi",
    "CommitmentListApi",
    "CommitmentPreviewApi",
    "CommitmentWithdrawApi",
    "SubjectListApi",
    "SubjectRegisterApi",
    "TemplateListApi",
    "commitment_detail_data",
    "error_responses",
    "exception_handler",
    "paginated",
    "paginated_response",
]

"""Who may reach what: the expected outcome of every page and API operation for every role.

Each row lists one outcome per role, in the order of ``ROLES``: ``login`` (redirected to a
login page), or the HTTP status (``200``, ``302`` another redirect, ``400`` the request was
let in and refused for its content, ``401``/``403``/``404``, ``405`` the method is not
served). Pages are keyed by their URL pattern and method, operations by their OpenAPI
``operationId``. ``tests/config/test_authorisation_matrix.py`` requests each of them as each
role and fails on a missing row or a different outcome; ``AUTHORISATION_MATRIX_RECORD=1``
rewrites the rows from what the code does (review the diff: this file is the specification).

The roles: nobody logged in; the legal representative of subject A (the demo company); the
representative of another subject B; an agent of A authorised for the food-business permit
(the matter of A's commitments) and one authorised only for another matter; a regulator of
the competent department (sz-amr) and one of another department (sz-housing, also the demo's
tendering authority); the supervisor of sz-amr; a calling system (credit.check, its API token
also sent to pages); the superuser; the officer of the demo's industry association
(sz-catering, login ``association``), who reads and runs that association's pages only.
"""

ROLES = (
    "anonymous",
    "applicant",
    "other_applicant",
    "agent_in_scope",
    "agent_out_of_scope",
    "regulator",
    "other_regulator",
    "supervisor",
    "calling_system",
    "admin",
    "association",
)

PAGES: dict[str, dict[str, str]] = {
    "": {
        "GET": "login 302 302 302 302 302 302 302 login 302 302",
        "POST": "login 302 302 302 302 302 302 302 login 302 302",
    },
    "accounts/login/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "accounts/logout/": {
        "GET": "405 405 405 405 405 405 405 405 405 405 405",
        "POST": "login login login login login login login login login login login",
    },
    "accounts/oidc/callback/": {
        "GET": "404 404 404 404 404 404 404 404 404 404 404",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "accounts/oidc/login/": {
        "GET": "404 404 404 404 404 404 404 404 404 404 404",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "accounts/reauthenticate/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "admin/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/(?P<url>.*)$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/^(?P<app_label>axes|directory|access|auth|credit|commitments|workflows|viewflow)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/access/apitoken/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/access/apitoken/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/access/apitoken/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/access/apitoken/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/access/apitoken/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/access/apitoken/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/access/apitoken/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/group/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/group/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/auth/group/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/auth/group/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/auth/group/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/auth/group/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/<id>/password/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/auth/user/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/auth/user/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/autocomplete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/axes/accessattempt/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accessattempt/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessattempt/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessattempt/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessattempt/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessattempt/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/axes/accessfailurelog/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accessfailurelog/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessfailurelog/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessfailurelog/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessfailurelog/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accessfailurelog/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/axes/accesslog/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accesslog/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/axes/accesslog/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accesslog/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accesslog/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/axes/accesslog/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/approvalconsequence/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/approvalconsequence/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/approvalconsequence/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/approvalconsequence/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/approvalconsequence/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/approvalconsequence/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/association/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/association/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/association/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/association/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/association/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/association/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/association/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bidpledge/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bidpledge/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/bidpledge/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bidpledge/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/bidpledge/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bidpledge/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bidpledge/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/bulkissue/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bulkissue/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/bulkissue/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bulkissue/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bulkissue/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bulkissue/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/bulkissue/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitment/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitment/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/commitment/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitment/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/commitment/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitment/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitment/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/commitmentkind/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmentkind/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/commitmentkind/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmentkind/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/commitmentkind/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmentkind/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/commitments/commitmentkind/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/commitmenttemplate/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmenttemplate/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/commitmenttemplate/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmenttemplate/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/commitmenttemplate/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmenttemplate/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/commitmenttemplate/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/deadlineextension/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/deadlineextension/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/deadlineextension/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/deadlineextension/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/deadlineextension/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/deadlineextension/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/exemptionrule/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/exemptionrule/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/exemptionrule/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/exemptionrule/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/exemptionrule/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/exemptionrule/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/exemptionrule/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/issuedform/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/issuedform/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/issuedform/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/issuedform/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/issuedform/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/issuedform/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/memberreminder/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/memberreminder/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/memberreminder/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/memberreminder/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/memberreminder/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/memberreminder/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/performancereport/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/performancereport/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/performancereport/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/performancereport/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/performancereport/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/performancereport/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/registryevent/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/registryevent/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/registryevent/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/registryevent/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/registryevent/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/registryevent/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/signingrequest/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/signingrequest/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/signingrequest/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/signingrequest/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/signingrequest/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/signingrequest/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/tender/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/tender/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/tender/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/tender/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/tender/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/tender/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/tender/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/verification/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verification/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/verification/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verification/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/verification/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verification/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verification/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/verificationexemption/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verificationexemption/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/verificationexemption/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verificationexemption/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/verificationexemption/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/verificationexemption/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/warningschedule/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/warningschedule/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/commitments/warningschedule/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/warningschedule/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/commitments/warningschedule/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/commitments/warningschedule/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/breach/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breach/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/breach/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breach/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/breach/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breach/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breach/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/breachcategory/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breachcategory/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/breachcategory/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breachcategory/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breachcategory/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/breachcategory/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/breachcategory/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/callingsystem/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/callingsystem/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/changesubscription/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/changesubscription/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/changesubscription/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/changesubscription/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/changesubscription/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/changesubscription/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/checkquery/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/checkquery/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/checkquery/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/checkquery/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/checkquery/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/checkquery/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/creditlist/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditlist/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/creditlist/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditlist/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditlist/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditlist/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/creditlist/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditreport/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditreport/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/creditreport/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditreport/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/creditreport/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/creditreport/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/graderule/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/graderule/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/graderule/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/graderule/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/graderule/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/graderule/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/graderule/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/listentry/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/listentry/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/listentry/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/listentry/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/listentry/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/listentry/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/listentry/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/measure/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/measure/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/measure/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/measure/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/measure/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/measure/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/measure/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/measuretype/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/measuretype/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/measuretype/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/measuretype/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/measuretype/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/measuretype/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/measuretype/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/recordchangenotice/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/recordchangenotice/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/recordchangenotice/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/recordchangenotice/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/recordchangenotice/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/recordchangenotice/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/opendataevent/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/opendataevent/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataevent/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataevent/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/opendataevent/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataevent/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/opendataday/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/opendataday/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataday/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataday/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/opendataday/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/opendataday/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/repairnotice/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairnotice/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/repairnotice/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairnotice/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/repairnotice/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairnotice/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/repairrule/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairrule/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/repairrule/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairrule/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairrule/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/repairrule/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/repairrule/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/ruleset/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/ruleset/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/ruleset/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/ruleset/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/ruleset/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/ruleset/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/credit/ruleset/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/sealedrepairnotice/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/sealedrepairnotice/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/credit/sealedrepairnotice/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/sealedrepairnotice/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/credit/sealedrepairnotice/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/credit/sealedrepairnotice/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/calendaryear/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/calendaryear/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/calendaryear/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/calendaryear/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/calendaryear/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/calendaryear/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/calendaryear/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/competence/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/competence/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/department/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/department/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/externalidentity/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/externalidentity/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/externalidentity/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/externalidentity/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/externalidentity/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/externalidentity/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/externalidentity/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/matter/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/matter/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/matter/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/matter/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/matter/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/matter/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/matter/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/region/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/region/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/region/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/region/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/region/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/region/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/partitionevent/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/partitionevent/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/partitionevent/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/partitionevent/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/partitionevent/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/partitionevent/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/regulatormembership/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/regulatormembership/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/regulatormembership/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/regulatormembership/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/regulatormembership/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/regulatormembership/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/regulatormembership/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/representation/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/representation/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/representation/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/representation/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/representation/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/representation/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/representation/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/retentionperiod/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/retentionperiod/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/retentionperiod/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/retentionperiod/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/retentionperiod/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/retentionperiod/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/retentionperiod/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/directory/routingrule/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/routingrule/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/routingrule/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/routingrule/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/routingrule/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/routingrule/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/routingrule/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/subject/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/subject/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/workingdayoverride/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/directory/workingdayoverride/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/workingdayoverride/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/workingdayoverride/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/directory/workingdayoverride/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/workingdayoverride/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/directory/workingdayoverride/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/jsi18n/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/login/": {
        "GET": "200 200 200 200 200 200 200 200 200 302 200",
    },
    "admin/logout/": {
        "GET": "302 302 302 302 302 302 302 302 302 405 302",
    },
    "admin/password_change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/password_change/done/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/r/<path:content_type_id>/<path:object_id>/": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/viewflow/process/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/process/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/viewflow/process/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/process/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/process/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/process/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/viewflow/task/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/task/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/viewflow/task/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/task/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/task/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/viewflow/task/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/delegation/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/delegation/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/delegation/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/delegation/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/delegation/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/delegation/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/delegation/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/objection/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/objection/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/objection/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/objection/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/objection/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/objection/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/objection/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/objectionprocess/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/objectionprocess/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/objectionprocess/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/objectionprocess/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/objectionprocess/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/objectionprocess/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/rectification/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/rectification/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/rectification/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/rectification/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/rectification/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/rectification/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairapplication/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairapplication/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/repairapplication/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairapplication/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairapplication/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairapplication/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairapplication/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairprocess/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairprocess/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/repairprocess/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/repairprocess/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairprocess/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/repairprocess/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairproof/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairproof/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/repairproof/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairproof/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/repairproof/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/repairproof/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/samplingdraw/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/samplingdraw/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/samplingdraw/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/samplingdraw/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/samplingdraw/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/samplingdraw/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/samplingpolicy/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/samplingpolicy/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/samplingpolicy/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/samplingpolicy/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/samplingpolicy/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/samplingpolicy/^([^/]+)/history/([^/]+)/$": {
        "GET": "login login login login login login login login login 404 login",
    },
    "admin/workflows/samplingpolicy/add/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/savedlistfilter/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/savedlistfilter/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/savedlistfilter/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/savedlistfilter/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/savedlistfilter/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/savedlistfilter/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/taskauditentry/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/taskauditentry/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/taskauditentry/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/taskauditentry/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/taskauditentry/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/taskauditentry/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/verificationprocess/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationprocess/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/verificationprocess/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationprocess/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/verificationprocess/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationprocess/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/verificationtaskindex/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationtaskindex/<path:object_id>/": {
        "GET": "login login login login login login login login login 302 login",
    },
    "admin/workflows/verificationtaskindex/<path:object_id>/change/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationtaskindex/<path:object_id>/delete/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "admin/workflows/verificationtaskindex/<path:object_id>/history/": {
        "GET": "login login login login login login login login login 200 login",
    },
    "admin/workflows/verificationtaskindex/add/": {
        "GET": "login login login login login login login login login 403 login",
    },
    "api/docs/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "api/schema/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "associations/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/issues/<int:pk>/": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/issues/<int:pk>/progress.json": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/issues/<int:pk>/rows.csv": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/issues/new/": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 404 404 404 404 404 404 404 login 404 400",
    },
    "associations/<slug:association>/members.csv": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/members/": {
        "GET": "login 404 404 404 404 404 404 404 login 404 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "associations/<slug:association>/members/remind/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 404 404 404 404 404 404 404 login 404 302",
    },
    "commitments/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/<str:reference>/": {
        "GET": "login 200 404 200 200 200 404 200 login 200 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/<str:reference>/document.pdf": {
        "GET": "login 200 404 200 200 200 404 200 login 200 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/<str:reference>/edit/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 400 404 400 400 404 404 404 login 404 404",
    },
    "commitments/<str:reference>/preview.pdf": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/<str:reference>/rectification/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 400 404 400 400 404 404 404 login 404 404",
    },
    "commitments/<str:reference>/sign/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 302 302 404 404 404 login 302 404",
    },
    "commitments/<str:reference>/upload-signed/": {
        "GET": "login 200 404 200 200 404 404 404 login 200 404",
        "POST": "login 400 404 400 400 404 404 404 login 400 404",
    },
    "commitments/<str:reference>/withdraw/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 302 302 404 404 404 login 404 404",
    },
    "commitments/batch/sign/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "commitments/letters/": {
        "GET": "login 403 403 403 403 403 403 403 login 200 403",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/letters/<int:pk>/letter.pdf": {
        "GET": "login 404 404 404 404 404 404 404 login 200 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/letters/<int:pk>/review/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 403 403 403 403 403 403 403 login 302 403",
    },
    "commitments/obligations/<int:pk>/": {
        "GET": "login 200 404 200 200 200 404 200 login 200 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/obligations/<int:pk>/extend/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 400 404 400 400 400 404 400 login 400 404",
    },
    "commitments/obligations/<int:pk>/report/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 400 404 400 400 400 404 400 login 400 404",
    },
    "commitments/obligations/deliveries/": {
        "GET": "login 404 404 404 404 200 200 200 login 404 404",
        "POST": "login 404 404 404 404 405 405 405 login 404 404",
    },
    "commitments/obligations/deliveries/<int:pk>/retry/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 404 404 404 404 302 404 302 login 404 404",
    },
    "commitments/obligations/evidence/<int:pk>/": {
        "GET": "login 200 404 200 200 200 404 200 login 200 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/obligations/mine/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/obligations/reports/<int:pk>/accept/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 302 302 302 404 302 login 302 404",
    },
    "commitments/obligations/reports/<int:pk>/reject/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 302 302 302 404 302 login 302 404",
    },
    "commitments/representations/<int:pk>/<str:action>/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 404 302 404 404 404 login 302 404",
    },
    "commitments/subjects/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/subjects/<int:pk>/agents/": {
        "GET": "login 200 404 404 404 404 404 404 login 404 404",
        "POST": "login 400 404 404 404 404 404 404 login 404 404",
    },
    "commitments/subjects/agent-request/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "commitments/subjects/letter/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "commitments/subjects/new/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "commitments/templates/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "commitments/templates/<int:pk>/new/": {
        "GET": "login 302 302 302 302 302 302 302 login 302 302",
        "POST": "login 302 302 302 302 302 302 302 login 302 302",
    },
    "commitments/templates/<int:pk>/notice/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "credit/<str:code>/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "credit/<str:code>/objection/<int:breach_id>/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 400 404 400 400 404 404 404 login 404 404",
    },
    "credit/<str:code>/public/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "credit/<str:code>/repair/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 404 405 405 404 404 404 login 404 404",
    },
    "credit/<str:code>/repair/<int:breach_id>/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 400 404 400 400 404 404 404 login 404 404",
    },
    "i18n/setlang/": {
        "GET": "302 302 302 302 302 302 302 302 302 302 302",
        "POST": "302 302 302 302 302 302 302 302 302 302 302",
    },
    "notifications/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "notifications/<int:pk>/read/": {
        "GET": "login 405 405 405 405 405 405 405 login 405 405",
        "POST": "login 302 404 404 404 404 404 404 login 404 404",
    },
    "pledges/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "pledges/<int:pk>/": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "pledges/new/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "pledges/office/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "pledges/office/<int:pk>/": {
        "GET": "login 403 403 403 403 404 200 404 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "pledges/office/<int:pk>/outcome/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 404 400 404 login 403 403",
    },
    "pledges/office/<int:pk>/payment/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 404 400 404 login 403 403",
    },
    "pledges/office/tenders/new/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 400 400 400 login 403 403",
    },
    "pledges/sign/<str:reference>/": {
        "GET": "login 302 404 302 302 404 404 404 login 404 404",
        "POST": "login 400 404 400 400 404 404 404 login 404 404",
    },
    "portal/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "portal/commitments/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "portal/commitments/<str:reference>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "portal/figures/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "portal/lists/<str:kind>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "portal/subjects/<str:code>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "405 405 405 405 405 405 405 405 405 405 405",
    },
    "register/checkpoints/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "register/consistency": {
        "GET": "400 400 400 400 400 400 400 400 400 400 400",
        "POST": "400 400 400 400 400 400 400 400 400 400 400",
    },
    "register/proof": {
        "GET": "400 400 400 400 400 400 400 400 400 400 400",
        "POST": "400 400 400 400 400 400 400 400 400 400 400",
    },
    "register/verify/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "400 400 400 400 400 400 400 400 400 400 400",
    },
    "regulator/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/credit/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/credit/breaches/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/credit/deliveries/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/credit/deliveries/<int:pk>/resend/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 302 404 302 login 403 403",
    },
    "regulator/credit/objection/<int:pk>/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 400 404 400 login 403 403",
    },
    "regulator/credit/repair/<int:pk>/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 400 404 400 login 403 403",
    },
    "regulator/credit/repair/<int:pk>/proof/<int:proof_pk>/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/credit/statistics.csv": {
        "GET": "login 403 403 403 403 403 403 200 login 200 403",
        "POST": "login 403 403 403 403 403 403 405 login 405 403",
    },
    "regulator/credit/statistics/": {
        "GET": "login 403 403 403 403 403 403 200 login 200 403",
        "POST": "login 403 403 403 403 403 403 405 login 405 403",
    },
    "regulator/dashboard/": {
        "GET": "login 403 403 403 403 403 403 200 login 403 403",
        "POST": "login 403 403 403 403 403 403 405 login 403 403",
    },
    "regulator/delegations/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 200 200 200 login 403 403",
    },
    "regulator/delegations/<int:pk>/revoke/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 302 404 302 login 403 403",
    },
    "regulator/evidence/<int:pk>/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/exempt/": {
        "GET": "login 403 403 403 403 403 403 200 login 403 403",
        "POST": "login 403 403 403 403 403 403 405 login 403 403",
    },
    "regulator/figures.csv": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/figures/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/queue/": {
        "GET": "login 403 403 403 403 200 200 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/sampling/": {
        "GET": "login 403 403 403 403 403 403 200 login 403 403",
        "POST": "login 403 403 403 403 403 403 200 login 403 403",
    },
    "regulator/tasks/<int:pk>/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 405 405 405 login 403 403",
    },
    "regulator/tasks/<int:pk>/claim/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 302 404 302 login 403 403",
    },
    "regulator/tasks/<int:pk>/extend-deadline/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 400 404 400 login 403 403",
    },
    "regulator/tasks/<int:pk>/reassign/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 302 404 302 login 403 403",
    },
    "regulator/tasks/<int:pk>/rectify/": {
        "GET": "login 403 403 403 403 200 404 200 login 403 403",
        "POST": "login 403 403 403 403 400 404 400 login 403 403",
    },
    "regulator/tasks/<int:pk>/release/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 302 404 302 login 403 403",
    },
    "regulator/tasks/<int:pk>/verify/": {
        "GET": "login 403 403 403 403 405 405 405 login 403 403",
        "POST": "login 403 403 403 403 400 404 400 login 403 403",
    },
    "regulator/team/": {
        "GET": "login 403 403 403 403 403 403 200 login 403 403",
        "POST": "login 403 403 403 403 403 403 405 login 403 403",
    },
    "regulator/team/reassign/": {
        "GET": "login 403 403 403 403 403 403 302 login 403 403",
        "POST": "login 403 403 403 403 403 403 302 login 403 403",
    },
    "reports/": {
        "GET": "login 200 200 200 200 200 200 200 login 200 200",
        "POST": "login 400 400 400 400 400 400 400 login 400 400",
    },
    "reports/<str:reference>.pdf": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "reports/notices/<str:reference>.pdf": {
        "GET": "login 200 404 200 200 404 404 404 login 404 404",
        "POST": "login 405 405 405 405 405 405 405 login 405 405",
    },
    "reports/notices/verify/<str:reference>/<str:code>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "reports/verify/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "400 400 400 400 400 400 400 400 400 400 400",
    },
    "reports/verify/<str:reference>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "signing/ca.crl": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "signing/ca.crt": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "tsa/": {
        "GET": "405 405 405 405 405 405 405 405 405 405 405",
        "POST": "415 415 415 415 415 415 415 415 415 415 415",
    },
    "verify/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "400 400 400 400 400 400 400 400 400 400 400",
    },
    "verify/<str:reference>/": {
        "GET": "200 200 200 200 200 200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200 200 200 200 200 200",
    },
    "verify/<str:reference>/certificate.pdf": {
        "GET": "404 200 404 200 200 200 404 200 404 200 404",
        "POST": "404 200 404 200 200 200 404 200 404 200 404",
    },
    "verify/<str:reference>/receipts.json": {
        "GET": "404 200 404 200 200 200 404 200 404 200 404",
        "POST": "404 200 404 200 200 200 404 200 404 200 404",
    },
}

OPERATIONS: dict[str, str] = {
    "associations_bulk_issues_create": "401 404 404 404 404 404 404 404 404 404 415",
    "associations_bulk_issues_list": "401 404 404 404 404 404 404 404 404 404 200",
    "associations_bulk_issues_retrieve": "401 404 404 404 404 404 404 404 404 404 200",
    "associations_bulk_issues_rows": "401 404 404 404 404 404 404 404 404 404 200",
    "associations_list": "401 200 200 200 200 200 200 200 200 200 200",
    "associations_member_pledges": "401 404 404 404 404 404 404 404 404 404 200",
    "associations_member_remind": "401 404 404 404 404 404 404 404 404 404 200",
    "commitments_batch_sign": "401 400 400 400 400 400 400 400 400 400 400",
    "commitments_create": "401 400 400 400 400 400 400 400 400 400 400",
    "commitments_document": "401 404 404 404 404 404 404 404 404 404 404",
    "commitments_list": "401 200 200 200 200 200 200 200 200 200 200",
    "commitments_preview": "401 200 404 200 200 404 404 404 404 403 404",
    "commitments_rectification_read": "401 200 404 200 200 200 404 200 404 200 404",
    "commitments_rectification_submit": "401 400 404 400 400 404 404 404 404 404 404",
    "commitments_retrieve": "401 200 404 200 200 404 404 404 404 200 404",
    "commitments_sign": "401 400 404 400 400 404 404 404 404 400 404",
    "commitments_upload_signed": "401 400 404 400 400 404 404 404 404 400 404",
    "commitments_withdraw": "401 200 404 200 200 404 404 404 404 403 404",
    "credit_changes_feed": "401 403 403 403 403 403 403 403 200 403 403",
    "credit_changes_subscription_delete": "401 403 403 403 403 403 403 403 404 403 403",
    "credit_changes_subscription_read": "401 403 403 403 403 403 403 403 404 403 403",
    "credit_changes_subscription_set": "401 403 403 403 403 403 403 403 400 403 403",
    "credit_check": "401 403 403 403 403 403 403 403 400 403 403",
    "credit_objections_file": "401 400 400 400 400 400 400 400 400 400 400",
    "credit_objections_list": "401 200 200 200 200 200 200 200 200 200 200",
    "credit_office_objections_decide": "401 404 404 404 404 400 404 400 404 404 404",
    "credit_office_objections_forward": "401 404 404 404 404 400 404 400 404 404 404",
    "credit_office_objections_list": "401 200 200 200 200 200 200 200 200 200 200",
    "credit_office_repairs_decide": "401 404 404 404 404 400 404 400 404 404 404",
    "credit_office_repairs_list": "401 200 200 200 200 200 200 200 200 200 200",
    "credit_repair_eligibility": "401 200 404 200 200 404 404 404 404 404 404",
    "credit_repairs_apply": "401 415 415 415 415 415 415 415 415 415 415",
    "credit_repairs_list": "401 200 200 200 200 200 200 200 200 200 200",
    "credit_report_verify": "200 200 200 200 200 200 200 200 200 200 200",
    "credit_report_verify_file": "415 415 415 415 415 415 415 415 415 415 415",
    "credit_reports_list": "401 200 200 200 200 200 200 200 200 200 200",
    "credit_reports_request": "401 400 400 400 400 400 400 400 400 400 400",
    "figures_read": "401 403 403 403 403 200 200 200 403 403 403",
    "kinds_list": "401 200 200 200 200 200 200 200 200 200 200",
    "obligations_department_list": "401 403 403 403 403 200 200 200 403 403 403",
    "obligations_detail": "401 200 404 200 200 200 404 200 404 200 404",
    "obligations_extend": "401 400 404 400 400 400 404 400 404 400 404",
    "obligations_list": "401 200 200 200 200 200 200 200 200 200 200",
    "obligations_report_accept": "401 403 404 403 403 200 404 200 404 403 404",
    "obligations_report_reject": "401 403 404 403 403 400 404 400 404 403 404",
    "obligations_report": "401 415 404 415 415 415 404 415 404 415 404",
    # The open data feed is public: anyone, logged in or not, token or not (ADR 0030).
    "open_data_certificate": "200 200 200 200 200 200 200 200 200 200 200",
    "open_data_csv": "200 200 200 200 200 200 200 200 200 200 200",
    "open_data_feed": "200 200 200 200 200 200 200 200 200 200 200",
    "ping": "200 200 200 200 200 200 200 200 200 200 200",
    "pledges_create": "401 400 400 400 400 400 400 400 400 400 400",
    "pledges_list": "401 200 200 200 200 200 200 200 200 200 200",
    "pledges_outcome": "401 400 400 400 400 400 400 400 400 400 400",
    "pledges_payment": "401 404 404 404 404 404 409 404 404 404 404",
    "pledges_retrieve": "401 200 404 200 200 404 200 404 404 404 404",
    "portal_commitments_detail": "200 200 200 200 200 200 200 200 200 200 200",
    "portal_commitments_list": "200 200 200 200 200 200 200 200 200 200 200",
    "portal_lists_entries": "200 200 200 200 200 200 200 200 200 200 200",
    "portal_subjects_profile": "200 200 200 200 200 200 200 200 200 200 200",
    "representations_agent_request": "401 400 400 400 400 400 400 400 400 400 400",
    "representations_letter_submit": "401 400 400 400 400 400 400 400 400 400 400",
    "representations_letters_pending": "401 403 403 403 403 403 403 403 403 200 403",
    "representations_list": "401 200 200 200 200 200 200 200 200 200 200",
    "representations_refuse": "401 400 404 404 404 404 404 404 404 400 404",
    "representations_review": "401 403 403 403 403 403 403 403 403 400 403",
    "representations_revoke": "401 400 404 404 400 404 404 404 404 400 404",
    "sampling_draw": "401 403 403 403 403 403 403 400 403 403 403",
    "subjects_agents_grant": "401 400 404 404 404 404 404 404 404 404 404",
    "subjects_agents_list": "401 200 404 404 404 404 404 404 404 404 404",
    "subjects_list": "401 200 200 200 200 200 200 200 200 200 200",
    "subjects_register": "401 400 400 400 400 400 400 400 400 400 400",
    "tasks_bulk_reassign": "401 400 400 400 400 400 400 400 400 400 400",
    "tasks_claim": "401 404 404 404 404 409 404 409 404 404 404",
    "tasks_extend_deadline": "401 404 404 404 404 400 404 400 404 404 404",
    "tasks_inbox": "401 200 200 200 200 200 200 200 200 200 200",
    "tasks_queue": "401 200 200 200 200 200 200 200 200 200 200",
    "tasks_reassign": "401 404 404 404 404 400 404 400 404 404 404",
    "tasks_rectify": "401 404 404 404 404 400 404 400 404 404 404",
    "tasks_release": "401 404 404 404 404 200 404 200 404 404 404",
    "tasks_verify": "401 404 404 404 404 400 404 400 404 404 404",
    "templates_list": "401 200 200 200 200 200 200 200 200 200 200",
    "tenders_create": "401 400 400 400 400 400 400 400 400 400 400",
    "tenders_list": "401 200 200 200 200 200 200 200 200 200 200",
}

SIZE = "582 pages (698 page requests) x 11 roles = 7678; 83 operations x 11 roles = 913"

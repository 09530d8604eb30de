"""The front door, and the site's own error pages.

``home`` sends each person to where their work is. The error views (``handler400/403/404/500``
in ``config.urls`` and ``CSRF_FAILURE_VIEW``) answer in the visitor's language with the way
back. They render ``templates/errors/`` without the request's context processors and without
the database, so a page that explains a failure cannot fail the same way.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from commitments.associations.selectors import association_list
from directory.representation.selectors import is_representation_officer
from directory.selectors import is_regulator, subject_list


@login_required
def home(request):
    """Where the person's work is: an officer's tasks; a representative's commitments; for
    whoever may review authorisation letters and represents no company (an administrator or
    clerk without a department), the letters to review, whose menu leads on to the
    administration; an association's officer, their associations. Everyone else starts on
    "My commitments", which says how to begin."""
    user = request.user
    if is_regulator(user):
        return redirect("workflows:inbox")
    if is_representation_officer(user) and not subject_list(represented_by=user).exists():
        return redirect("commitments:letter_reviews")
    if association_list(officer=user).exists():
        return redirect("associations:list")
    return redirect("commitments:list")


def _back_url(request: HttpRequest) -> str:
    """The page the visitor came from, if it is on this site: the way back (a script-free
    link, as the CSP allows no ``javascript:``); empty when there is none to offer."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a bad Host header must not break the error page
        return ""
    is_ours = bool(referer) and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if is_ours and referer != request.build_absolute_uri() else ""


def _error_page(
    request: HttpRequest,
    template_name: str,
    status: int,
    *,
    offer_login: bool = False,
    reason: str = "",
) -> HttpResponse:
    """Render an error page in the language the site picked for this request.

    LocaleMiddleware has normally activated it already; asking again covers a failure raised
    before the middleware ran. The template gets a plain context: no user, no messages, no
    unread count, nothing that touches the database.
    """
    language = translation.get_language_from_request(request)
    with translation.override(language):
        context = {
            "LANGUAGE_CODE": translation.get_language(),
            "next_path": request.get_full_path() if offer_login else "",
            "offer_login": offer_login,
            "status": status,
            "back_url": _back_url(request),
            "reason": reason,
        }
        body = loader.get_template(template_name).render(context)
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    return response


def _is_anonymous(request: HttpRequest) -> bool:
    """Return whether nobody is signed in; a failing session counts as nobody."""
    user = getattr(request, "user", None)
    try:
        return user is None or not user.is_authenticated
    except Exception:  # noqa: BLE001 - the error page must render even if the session store fails
        return True


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the request could not be understood."""
    return _error_page(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: not allowed; a visitor who is not signed in is offered the login."""
    return _error_page(
        request,
        "errors/403.html",
        403,
        offer_login=_is_anonymous(request),
        reason=str(exception) if exception is not None else "",
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: nothing at this address."""
    return _error_page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: our fault; nothing here may need the database."""
    return _error_page(request, "errors/500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form sent without a valid security token (expired page, cookies off)."""
    return _error_page(request, "errors/csrf.html", 403)

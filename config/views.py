"""The front door: send each person to where their work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from directory.selectors import is_regulator


@login_required
def home(request):
    if is_regulator(request.user):
        return redirect("workflows:inbox")
    return redirect("commitments:list")

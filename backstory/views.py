"""Project-level pages: the home page and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import accounts_for_home


@require_GET
@login_required
def home(request):
    """Where a rep lands: their accounts and open opportunities, and the search box."""
    return render(request, "home.html", accounts_for_home(user=request.user))


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

"""The data map and the retention policy with its last runs, for supervisors and
administrators (core/data_map.py, core/retention.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from core import data_map
from core.http import AuthenticatedHttpRequest
from core.models import RetentionRun
from offices.permissions import require_supervises

RUNS_SHOWN = 20


@login_required
def data_map_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_supervises(request.user)
    models = [
        {"label": entry.label, "name": entry.model._meta.verbose_name, "fields": entry.fields}
        for entry in data_map.entries()
    ]
    return render(request, "staff/data_map.html", {"models": models})


@login_required
def retention_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_supervises(request.user)
    anonymisers = data_map.anonymisers()
    policies = [
        {
            "policy": policy,
            "kept": policy.describe(),
            "anonymisers": [a.name for a in anonymisers if a.policy.key == policy.key],
        }
        for policy in data_map.policies()
    ]
    runs = RetentionRun.objects.all()[:RUNS_SHOWN]
    return render(request, "staff/retention.html", {"policies": policies, "runs": runs})

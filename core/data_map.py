"""The data map (UU PDP No. 27/2022): every personal field of every model, with its
category, purpose, legal basis and retention, declared in code next to the app that owns
it; and the registry of anonymisers that enforce the retention.

One mechanism, used by every app in its `privacy.py`, imported from `AppConfig.ready`:

    personal_data(
        Booking,
        fields={"full_name": Personal(category=Category.IDENTITY, purpose=_("…"),
                                      basis=LegalBasis.PUBLIC_TASK, retention=VISITS)},
        not_personal={"code": _("a random booking code, no personal meaning")},
    )
    register_anonymiser("booking.Booking", policy=VISITS, run=anonymise_past_bookings)

`not_personal` records why a field that looks personal is not (an office's own phone
number), so the test in tests/core/test_data_map.py can fail for any field that looks
personal and is neither tagged nor explained.

Reading the map (pages, docs/data-map.md, a data-subject export): `entries()` lists every
registered model with its fields; `personal_fields(model)` answers for one model.
Core imports no app: apps call in, never the other way round."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.timezones import IndonesianZone, local_date

Text = str | Promise


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    SPECIFIC = "specific", _("Specific (health-adjacent)")
    BEHAVIOURAL = "behavioural", _("Behaviour and history")
    FREE_TEXT = "free_text", _("Free text")
    TECHNICAL = "technical", _("Technical identifier")
    ACCOUNT = "account", _("Staff account")


class LegalBasis(models.TextChoices):
    """UU PDP No. 27/2022, article 20(2)."""

    CONSENT = "consent", _("Explicit consent (art. 20(2)(a))")
    CONTRACT = "contract", _("Performing a contract (art. 20(2)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 20(2)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (art. 20(2)(d))")
    PUBLIC_TASK = "public_task", _("Public service by law (art. 20(2)(e))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (art. 20(2)(f))")


class AtEnd(models.TextChoices):
    """What happens to the field when its retention ends."""

    ERASED = "erased", _("erased (overwritten)")
    ROW_DELETED = "row_deleted", _("the row is deleted")
    KEPT = "kept", _("kept as a statistic once the row identifies no one")
    MANUAL = "manual", _("removed by an administrator (no automatic limit)")


@dataclass(frozen=True)
class RetentionPolicy:
    """How long one kind of record keeps its personal data.

    `setting` names the settings variable holding the number of days (documented in
    docs/deployment.md); without one, `default_days` is fixed, and None means no
    automatic limit."""

    key: str
    label: Text
    after: Text
    setting: str | None = None
    default_days: int | None = None

    @property
    def days(self) -> int | None:
        configured = getattr(settings, self.setting, None) if self.setting else None
        return int(configured) if configured is not None else self.default_days

    def describe(self, days: int | None = None) -> str:
        days = self.days if days is None else days
        if days is None:
            return str(self.after)
        return ngettext("%(days)d day after %(after)s", "%(days)d days after %(after)s", days) % {
            "days": days,
            "after": self.after,
        }


# The policies in use. An app adding a new kind of record declares its own the same way.
VISITS = RetentionPolicy(
    key="visits",
    label=_("Bookings and queue tickets"),
    after=_("the day of the visit (office time)"),
    setting="GILIRAN_RETENTION_VISIT_DAYS",
    default_days=90,
)
WAITLIST = RetentionPolicy(
    key="waitlist",
    label=_("Waiting-list entries"),
    after=_("the day waited for (office time)"),
    setting="GILIRAN_RETENTION_WAITLIST_DAYS",
    default_days=30,
)
MESSAGES = RetentionPolicy(
    key="messages",
    label=_("Messages to citizens"),
    after=_("sending (or creation, if never sent)"),
    setting="GILIRAN_RETENTION_MESSAGE_DAYS",
    default_days=30,
)
SECURITY_LOG = RetentionPolicy(
    key="security_log",
    label=_("Staff sign-in records"),
    after=_("the sign-in"),
    setting="GILIRAN_RETENTION_SECURITY_LOG_DAYS",
    default_days=90,
)
IDEMPOTENCY = RetentionPolicy(
    key="idempotency",
    label=_("Remembered API requests"),
    after=_("the request"),
    default_days=1,
)
SESSIONS = RetentionPolicy(
    key="sessions",
    label=_("Browser sessions"),
    after=_("until the session expires"),
)
SIGN_IN_ATTEMPTS = RetentionPolicy(
    key="sign_in_attempts",
    label=_("Failed sign-in counters"),
    after=_("until the next successful sign-in or the end of the lockout"),
)
STAFF_RECORDS = RetentionPolicy(
    key="staff_records",
    label=_("Staff accounts and their actions"),
    after=_("while the account exists; an administrator deactivates or deletes it"),
)


@dataclass(frozen=True)
class Personal:
    """The tag of one personal field."""

    category: Category
    purpose: Text
    basis: LegalBasis
    retention: RetentionPolicy
    at_end: AtEnd = AtEnd.ERASED


# The tag of a link to the staff account that did something (created a booking, called a
# ticket, changed a plan): every app's privacy.py uses this one.
STAFF_ACTION = Personal(
    category=Category.BEHAVIOURAL,
    purpose=_("show which staff member acted"),
    basis=LegalBasis.CONTRACT,
    retention=STAFF_RECORDS,
    at_end=AtEnd.MANUAL,
)


@dataclass
class ModelEntry:
    model: type[models.Model]
    fields: dict[str, Personal] = field(default_factory=dict)
    not_personal: dict[str, Text] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label


_REGISTRY: dict[str, ModelEntry] = {}


def personal_data(
    model: type[models.Model],
    *,
    fields: Mapping[str, Personal],
    not_personal: Mapping[str, Text] | None = None,
) -> None:
    """Tag `model`'s personal fields; `not_personal` explains fields that only look so.

    Call once per model from the owning app's `ready()`; calling again adds fields, and
    re-declaring a field with a different tag is a programming error."""
    entry = _REGISTRY.setdefault(model._meta.label, ModelEntry(model=model))
    for name, tag in fields.items():
        if entry.fields.get(name, tag) != tag:
            raise ValueError(f"{model._meta.label}.{name} is tagged twice, differently")
        entry.fields[name] = tag
    entry.not_personal.update(not_personal or {})


def entries() -> list[ModelEntry]:
    """Every model with personal data: the project's own first, each group by label."""
    base = Path(settings.BASE_DIR).resolve()

    def order(entry: ModelEntry) -> tuple[bool, str]:
        config = apps.get_app_config(entry.model._meta.app_label)
        return (Path(config.path).resolve().parent != base, entry.label)

    return sorted((entry for entry in _REGISTRY.values() if entry.fields), key=order)


def personal_fields(model: type[models.Model]) -> dict[str, Personal]:
    entry = _REGISTRY.get(model._meta.label)
    return dict(entry.fields) if entry else {}


def policies() -> list[RetentionPolicy]:
    """Every retention policy named by a tag or an anonymiser, in first-seen order."""
    seen: dict[str, RetentionPolicy] = {}
    for entry in entries():
        for tag in entry.fields.values():
            seen.setdefault(tag.retention.key, tag.retention)
    for anonymiser in anonymisers():
        seen.setdefault(anonymiser.policy.key, anonymiser.policy)
    return list(seen.values())


# --- What the test checks ---------------------------------------------------------------

# Field names that look personal. A match needs a tag or a not_personal reason.
PERSONAL_LOOKING = re.compile(
    r"(^|_)(nik|name|phone|email|contact|address|comment|ip|recipient|context|details|"
    r"note|reason|why|message|body|text|agent|username|password|token|session|data)(_|$)"
)
# Field types that can hold anything a person typed or anything about a person.
PERSONAL_LOOKING_TYPES: tuple[type[models.Field], ...] = (
    models.TextField,
    models.JSONField,
    models.EmailField,
    models.GenericIPAddressField,
)
# Models outside the project's apps that hold personal data: staff accounts, sessions,
# and django-axes' sign-in records.
ALSO_CHECKED = [
    "auth.User",
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
]

# Third-party apps all of whose models are checked: the audit log and the staff second
# factors. Whole apps rather than model labels, so a library upgrade that adds a model
# fails the test until the new model is tagged.
ALSO_CHECKED_APPS = ["auditlog", "otp_totp", "otp_static", "django_otp_webauthn"]

# Fields whose names do not look personal but are.
ALSO_PERSONAL = {
    "auth.User.last_login",
    "auth.User.date_joined",
    # The audit log's request address and correlation id, and second-factor secrets and
    # the ids that link an authenticator to its staff member.
    "auditlog.LogEntry.remote_port",
    "auditlog.LogEntry.cid",
    "otp_totp.TOTPDevice.key",
    "django_otp_webauthn.WebAuthnCredential.credential_id",
    "django_otp_webauthn.WebAuthnCredential.credential_id_sha256",
    "django_otp_webauthn.WebAuthnUserHandle.handle_hex",
}


def _looks_personal(model_field: models.Field) -> bool:
    if f"{model_field.model._meta.label}.{model_field.name}" in ALSO_PERSONAL:
        return True
    if isinstance(model_field, PERSONAL_LOOKING_TYPES):
        return True
    if model_field.is_relation and model_field.related_model is not None:
        # A link to a staff account records what a person did.
        return model_field.related_model._meta.label == settings.AUTH_USER_MODEL
    return bool(PERSONAL_LOOKING.search(model_field.name))


def checked_models() -> list[type[models.Model]]:
    """Every concrete model of the project's own apps and of ALSO_CHECKED_APPS, and
    ALSO_CHECKED."""
    base = Path(settings.BASE_DIR).resolve()
    found = [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base or config.label in ALSO_CHECKED_APPS
        for model in config.get_models()
        if not model._meta.abstract and not model._meta.proxy
    ]
    found += [apps.get_model(label) for label in ALSO_CHECKED]
    return found


def untagged_fields() -> list[str]:
    """`app.Model.field` for every field that looks personal and has no tag or reason."""
    missing = []
    for model in checked_models():
        entry = _REGISTRY.get(model._meta.label)
        known = set(entry.fields) | set(entry.not_personal) if entry else set()
        for model_field in model._meta.concrete_fields:
            if _looks_personal(model_field) and model_field.name not in known:
                missing.append(f"{model._meta.label}.{model_field.name}")
    return missing


def unknown_tags() -> list[str]:
    """Tags and reasons naming a field the model does not have."""
    unknown = []
    for entry in _REGISTRY.values():
        names = {f.name for f in entry.model._meta.concrete_fields}
        for name in [*entry.fields, *entry.not_personal]:
            if name not in names:
                unknown.append(f"{entry.label}.{name}")
    return unknown


# --- Anonymisers ------------------------------------------------------------------------


class AnonymiseRun(Protocol):
    def __call__(self, *, now: datetime, batch_size: int) -> int: ...


@dataclass(frozen=True)
class Anonymiser:
    """Makes at most `batch_size` rows that are past `policy` anonymous, and says how
    many it changed. It must claim its rows with a conditional UPDATE (see
    core.retention.anonymise_batch), so two workers never change a row twice."""

    name: str
    policy: RetentionPolicy
    run: AnonymiseRun


_ANONYMISERS: dict[str, Anonymiser] = {}


def register_anonymiser(name: str, *, policy: RetentionPolicy, run: AnonymiseRun) -> None:
    """Add an anonymiser to the retention job (core.tasks.retention_run)."""
    _ANONYMISERS[name] = Anonymiser(name=name, policy=policy, run=run)


def anonymisers() -> list[Anonymiser]:
    return [_ANONYMISERS[name] for name in sorted(_ANONYMISERS)]


def past_office_days(*, date_field: str, zone_field: str, days: int, now: datetime) -> Q:
    """Rows whose office day (`date_field`, in the zone named by `zone_field`) ended at
    least `days` full days ago: a day D is due from 00:00 office time on D + days + 1."""
    due = Q(pk__in=[])
    for zone in IndonesianZone.values:
        today = local_date(zone, now)
        due |= Q(**{zone_field: zone, f"{date_field}__lt": today - timedelta(days=days)})
    return due


# --- The map as a document --------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def as_markdown() -> str:
    """docs/data-map.md: the map with each policy's default, in the active language."""
    lines = [
        "# Data map",
        "",
        "Generated by `python manage.py data_map --markdown > docs/data-map.md` from the tags",
        "each app declares in its `privacy.py` (mechanism: `core/data_map.py`; rules:",
        '`docs/security.md`, "Data map and retention"). Do not edit by hand:',
        "`tests/core/test_data_map.py` fails when this file is out of date.",
        "",
        "## Retention policies",
        "",
        "| policy | kept (default) | setting | anonymiser |",
        "| --- | --- | --- | --- |",
    ]
    by_policy: dict[str, list[str]] = {}
    for anonymiser in anonymisers():
        by_policy.setdefault(anonymiser.policy.key, []).append(f"`{anonymiser.name}`")
    for policy in policies():
        lines.append(
            f"| {_cell(policy.label)} | {_cell(policy.describe(policy.default_days))} "
            f"| {f'`{policy.setting}`' if policy.setting else '–'} "
            f"| {', '.join(by_policy.get(policy.key, [])) or '–'} |"
        )
    for entry in entries():
        lines += [
            "",
            f"## `{entry.label}` ({_cell(entry.model._meta.verbose_name)})",
            "",
            "| field | category | purpose | legal basis | retention | at the end |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, tag in entry.fields.items():
            lines.append(
                f"| `{name}` | {_cell(tag.category.label)} | {_cell(tag.purpose)} "
                f"| {_cell(tag.basis.label)} | {_cell(tag.retention.label)} "
                f"| {_cell(tag.at_end.label)} |"
            )
    explained = [
        (entry.label, name, reason)
        for _label, entry in sorted(_REGISTRY.items())
        for name, reason in entry.not_personal.items()
    ]
    lines += [
        "",
        "## Fields that look personal but are not",
        "",
        "| field | why |",
        "| --- | --- |",
        *[f"| `{label}.{name}` | {_cell(reason)} |" for label, name, reason in explained],
    ]
    return "\n".join(lines) + "\n"

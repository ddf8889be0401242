"""Upgrading a database from before the offices app keeps every catalog row: the tables
are renamed (booking_office -> offices_office, …), ids, values and foreign keys stay, and
the content types change app label in place, so permissions, the admin's log and the
audit log still point at the same model."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from offices.models import Office

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("latest_schema_restored"),
]

# The leaf migration of each app at commit 323aeac, the last schema with the catalog in
# booking (`git show 323aeac:<app>/migrations/`); offices did not exist.
BEFORE = [
    ("core", "0003_idempotency_keyed_no_bodies"),
    ("booking", "0010_booking_manage_token_version"),
    ("queueing", "0004_kiosk_devices"),
    ("scheduling", "0001_day_plans"),
    ("notifications", "0007_code_messages_name_their_minutes"),
    ("privacy", "0001_data_subject_requests"),
    ("offices", None),
]
# Apps that did not exist yet, unapplied first so the rest goes back as it always did.
NOT_YET = [
    ("insights", None),
    ("assistant", None),
    ("complaints", None),
    ("releases", None),
    ("ballots", None),
]

MOVED = ["Office", "Service", "OfficeService", "Counter", "OpeningHours", "Closure"]
MOVED_WITH_STAFF = [*MOVED, "StaffMembership"]
# Rows in other apps that point at the catalog: (app label, model).
REFERRING = [
    ("booking", "Slot"),
    ("booking", "Booking"),
    ("booking", "WaitlistEntry"),
    ("queueing", "Ticket"),
    ("queueing", "CounterState"),
    ("queueing", "TicketSequence"),
    ("queueing", "KioskDevice"),
    ("scheduling", "DayPlan"),
    ("notifications", "Message"),
    ("privacy", "DataRequest"),
]
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
DAY = date(2026, 12, 7)


def _migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate to `targets`; the models as they are there, with every other app's
    (auth, admin, auditlog…) at its latest. One target at a time, in the order given:
    a single plan for all of them may unapply an app's move of a foreign key after the
    table it points at was renamed back, depending on how the graph is walked."""
    for target in targets:
        MigrationExecutor(connection).migrate([target])
    loader = MigrationExecutor(connection).loader
    named = {label for label, _ in targets}
    nodes = [(label, name) for label, name in targets if name is not None]
    nodes += [leaf for leaf in loader.graph.leaf_nodes() if leaf[0] not in named]
    return loader.project_state(nodes).apps


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _latest_without(stop: tuple[str, str]) -> list[tuple[str, str | None]]:
    """Each app's latest migration that does not need `stop`: where a `migrate` that
    ended just before `stop` left the database."""
    graph = MigrationExecutor(connection).loader.graph
    after = set(graph.backwards_plan(stop))  # `stop` and all that depends on it
    targets: list[tuple[str, str | None]] = []
    for app in sorted({label for label, _ in graph.nodes}):
        kept = [node for node in graph.nodes if node[0] == app and node not in after]
        if not kept:  # an app whose first migration needs `stop` (complaints)
            targets.append((app, None))
            continue
        targets.append(max(kept, key=lambda node: len(graph.forwards_plan(node))))
    return targets


def _rows(model: Any) -> dict[int, dict[str, Any]]:
    """Every row of `model` as {pk: {column attribute: value}}."""
    names = [field.attname for field in model._meta.concrete_fields]
    return {row["id"]: row for row in model.objects.order_by("pk").values(*names)}


def _shared_columns(snapshot: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`snapshot` with each table's rows cut to the columns `other` also has."""
    shared: dict[str, Any] = {}
    for name, rows in snapshot.items():
        if not isinstance(rows, dict):
            shared[name] = rows
            continue
        shared[name] = {
            pk: {column: value for column, value in row.items() if column in other[name][pk]}
            for pk, row in rows.items()
        }
    return shared


def get_subject(apps: Apps) -> tuple[str, int | None]:
    """What the one message is about after the upgrade: (model, id)."""
    message = apps.get_model("notifications", "Message").objects.get()
    assert message.subject_type_id is not None, "the upgrade lost the message's subject"
    subject_type = apps.get_model("contenttypes", "ContentType").objects.get(
        pk=message.subject_type_id
    )
    return subject_type.model, message.subject_id


def _snapshot(apps: Apps, catalog_label: str) -> dict[str, Any]:
    models = [apps.get_model(catalog_label, name) for name in MOVED_WITH_STAFF]
    models += [apps.get_model(label, name) for label, name in REFERRING]
    snapshot: dict[str, Any] = {model.__name__: _rows(model) for model in models}
    Counter = apps.get_model(catalog_label, "Counter")
    snapshot["counter services"] = sorted(
        Counter.services.through.objects.values_list("counter_id", "service_id")
    )
    DataRequest = apps.get_model("privacy", "DataRequest")
    snapshot["data request offices"] = sorted(
        DataRequest.offices.through.objects.values_list("datarequest_id", "office_id")
    )
    return snapshot


def _write_catalog(apps: Apps) -> dict[str, Any]:
    """One of everything in the catalog, in the booking app as it was."""
    get = apps.get_model
    service = get("booking", "Service").objects.create(
        code="paspor-baru",
        name_id="Paspor baru",
        name_en="New passport",
        requirements_id="KTP-el\nKartu Keluarga",
        average_minutes=20,
        ticket_letter="A",
    )
    other_service = get("booking", "Service").objects.create(
        code="ktp-el", name_id="KTP-el", name_en="ID card", average_minutes=10, ticket_letter="B"
    )
    office = get("booking", "Office").objects.create(
        code="kanim-jakarta",
        name="Kantor Imigrasi Jakarta Pusat",
        kind="immigration",
        address="Jl. Merpati 3",
        province="DKI Jakarta",
        regency="Kota Jakarta Pusat",
        latitude=Decimal("-6.161200"),
        longitude=Decimal("106.845300"),
        timezone="Asia/Jakarta",
        queue_max_recalls=3,
    )
    offered = get("booking", "OfficeService").objects.create(
        office=office,
        service=service,
        ticket_letter="A",
        release_time=time(8),
        walk_in_daily_quota=285,
    )
    get("booking", "OfficeService").objects.create(
        office=office, service=other_service, ticket_letter="B"
    )
    counter = get("booking", "Counter").objects.create(office=office, number=1, name="Loket 1")
    counter.services.set([service, other_service])
    get("booking", "OpeningHours").objects.create(
        office=office,
        weekday=4,
        opens_at=time(8),
        closes_at=time(15),
        break_starts_at=time(11, 30),
        break_ends_at=time(13, 30),
    )
    get("booking", "Closure").objects.create(
        office=office,
        starts_on=date(2026, 12, 24),
        ends_on=date(2026, 12, 26),
        reason_id="Renovasi",
        reason_en="Renovation",
    )
    user = get("auth", "User").objects.create(username="bambang")
    get("booking", "StaffMembership").objects.create(user=user, office=office, role="supervisor")
    return {"office": office, "offered": offered, "counter": counter, "user": user}


def _write_referring(apps: Apps, catalog: dict[str, Any]) -> None:
    """Rows of the other apps that point at the catalog."""
    get = apps.get_model
    office, offered, counter = catalog["office"], catalog["offered"], catalog["counter"]
    slot = get("booking", "Slot").objects.create(
        office_service=offered,
        starts_at=NOW,
        ends_at=NOW.replace(minute=30),
        local_date=DAY,
        capacity=4,
        taken=1,
    )
    citizen = {
        "full_name": "Siti Rahmawati",
        "nik_encrypted": "ciphertext",
        "nik_hash": "hash-1",
        "nik_last4": "0001",
        "channel": "email",
        "email": "siti@example.id",
    }
    booking = get("booking", "Booking").objects.create(
        code="JKT4K7Q2",
        slot=slot,
        service_id=offered.service_id,
        status="confirmed",
        source="web",
        **citizen,
    )
    get("booking", "WaitlistEntry").objects.create(
        office_service=offered, local_date=DAY, token="waitlist-token", **citizen
    )
    get("queueing", "Ticket").objects.create(
        office=office,
        office_service=offered,
        counter=counter,
        local_date=DAY,
        letter="A",
        number=23,
        source="walk_in",
        status="called",
        queued_at=NOW,
        public_token="ticket-token",
    )
    get("queueing", "CounterState").objects.create(counter=counter)
    get("queueing", "TicketSequence").objects.create(office=office, local_date=DAY, letter="A")
    get("queueing", "KioskDevice").objects.create(office=office, name="Kios", token_hash="k")
    get("scheduling", "DayPlan").objects.create(office=office, local_date=DAY)
    get("notifications", "Message").objects.create(
        dedup_key="confirmed:1",
        kind="confirmed",
        channel="email",
        recipient="siti@example.id",
        due_at=NOW,
        office=office,
        booking=booking,
    )
    request = get("privacy", "DataRequest").objects.create(
        reference="DSR-1",
        kind="access",
        nik_hash="hash-1",
        nik_last4="0001",
        channel="email",
        address="siti@example.id",
        filed_at=NOW,
        due_at=NOW,
    )
    request.offices.set([office])


def _tie_to_content_type(apps: Apps, catalog: dict[str, Any]) -> dict[str, int]:
    """A permission held by a user and a group, an admin log entry and an audit log entry,
    all on the content type of booking's Office."""
    get = apps.get_model
    content_type, _ = get("contenttypes", "ContentType").objects.get_or_create(
        app_label="booking", model="office"
    )
    office, user = catalog["office"], catalog["user"]
    permission = get("auth", "Permission").objects.create(
        content_type=content_type, codename="close_office_day", name="Can close an office day"
    )
    user.user_permissions.add(permission)
    group = get("auth", "Group").objects.create(name="supervisors")
    group.permissions.add(permission)
    admin_entry = get("admin", "LogEntry").objects.create(
        user=user,
        content_type=content_type,
        object_id=str(office.pk),
        object_repr=office.name,
        action_flag=2,
        action_time=NOW,
    )
    audit_entry = get("auditlog", "LogEntry").objects.create(
        content_type=content_type,
        object_pk=str(office.pk),
        object_id=office.pk,
        object_repr=office.name,
        action=1,
        timestamp=NOW,
        changes={"name": ["a", "b"]},
    )
    return {
        "content_type": content_type.pk,
        "permission": permission.pk,
        "admin_entry": admin_entry.pk,
        "audit_entry": audit_entry.pk,
    }


def test_upgrade_keeps_catalog_rows_foreign_keys_and_content_types() -> None:
    ContentType.objects.clear_cache()
    before = _migrate([*NOT_YET, *BEFORE])
    catalog = _write_catalog(before)
    _write_referring(before, catalog)
    ties = _tie_to_content_type(before, catalog)
    written = _snapshot(before, "booking")
    assert all(written[name] for name in MOVED_WITH_STAFF)

    after = _migrate(_latest())
    ContentType.objects.clear_cache()

    # Same ids, same values, in the offices tables; the other apps' rows unchanged. The
    # outbox's own upgrade turned a message's booking and ticket keys into one subject
    # (tests/notifications/test_migrations.py): only the columns both schemas have count.
    upgraded = _snapshot(after, "offices")
    assert _shared_columns(upgraded, written) == _shared_columns(written, upgraded)
    (message,) = written["Message"].values()  # its id depends on the tests before
    assert get_subject(after) == ("booking", message["booking_id"])
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    for name in MOVED_WITH_STAFF:
        assert f"offices_{name.lower()}" in tables
        assert f"booking_{name.lower()}" not in tables
    assert "offices_counter_services" in tables and "booking_counter_services" not in tables

    # The foreign keys resolve through the new models.
    get = after.get_model
    office = get("offices", "Office").objects.get(pk=catalog["office"].pk)
    slot = get("booking", "Slot").objects.get()
    assert slot.office_service.office == office
    assert get("booking", "Booking").objects.get().service.code == "paspor-baru"
    assert get("booking", "WaitlistEntry").objects.get().office_service.office == office
    ticket = get("queueing", "Ticket").objects.get()
    assert (ticket.office, ticket.counter.office, ticket.office_service.office) == (office,) * 3
    assert get("queueing", "CounterState").objects.get().counter.number == 1
    assert {s.code for s in get("offices", "Counter").objects.get().services.all()} == {
        "paspor-baru",
        "ktp-el",
    }
    assert get("scheduling", "DayPlan").objects.get().office == office
    assert get("notifications", "Message").objects.get().office == office
    assert list(get("privacy", "DataRequest").objects.get().offices.all()) == [office]
    membership = get("offices", "StaffMembership").objects.get()
    assert (membership.user.username, membership.office, membership.role) == (
        "bambang",
        office,
        "supervisor",
    )

    # The content type was renamed in place, not duplicated: everything tied to it
    # follows, and the running code finds the same id for the model.
    content_type = ContentType.objects.get(pk=ties["content_type"])
    assert (content_type.app_label, content_type.model) == ("offices", "office")
    assert not ContentType.objects.filter(app_label="booking", model="office").exists()
    assert ContentType.objects.filter(model="office").count() == 1
    assert ContentType.objects.get_for_model(Office).pk == ties["content_type"]
    permission = get("auth", "Permission").objects.get(pk=ties["permission"])
    assert permission.content_type_id == ties["content_type"]
    assert get("auth", "User").objects.filter(user_permissions=permission).exists()
    assert get("auth", "Group").objects.filter(permissions=permission).exists()
    for label, key in (("admin", "admin_entry"), ("auditlog", "audit_entry")):
        entry = get(label, "LogEntry").objects.get(pk=ties[key])
        assert entry.content_type_id == ties["content_type"]
    for name in MOVED_WITH_STAFF:
        assert not ContentType.objects.filter(app_label="booking", model=name.lower()).exists()

    # New rows continue after the old ids (the sequences moved with the tables).
    new = get("offices", "Office").objects.create(
        code="mpp-denpasar",
        name="MPP Denpasar",
        kind="service_mall",
        address="Jl. Ahmad Yani",
        province="Bali",
        regency="Kota Denpasar",
        latitude=Decimal("-8.65"),
        longitude=Decimal("115.21"),
        timezone="Asia/Makassar",
    )
    assert new.pk > office.pk


def test_a_content_type_left_by_an_interrupted_upgrade_is_merged_into_the_old_one() -> None:
    """A `migrate` that stopped after offices 0002 let post_migrate create offices'
    content types beside booking's: the upgrade keeps booking's (with its id and
    history), moves what points at the new one, and deletes the new one."""
    ContentType.objects.clear_cache()
    before = _migrate([*NOT_YET, *BEFORE])
    old, _ = before.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="booking", model="counter"
    )
    kept, _ = before.get_model("auth", "Permission").objects.get_or_create(
        content_type=old, codename="change_counter", defaults={"name": "Can change counter"}
    )

    halfway = _migrate(_latest_without(("offices", "0003_content_types_moved")))
    get = halfway.get_model
    duplicate = get("contenttypes", "ContentType").objects.create(
        app_label="offices", model="counter"
    )
    Permission = get("auth", "Permission")
    Permission.objects.create(
        content_type=duplicate, codename="change_counter", name="Can change counter"
    )
    only_new = Permission.objects.create(
        content_type=duplicate, codename="open_counter", name="Can open a counter"
    )
    user = get("auth", "User").objects.create(username="rina")
    entry = get("admin", "LogEntry").objects.create(
        user=user,
        content_type=duplicate,
        object_id="1",
        object_repr="Loket 1",
        action_flag=1,
        action_time=NOW,
    )

    after = _migrate(_latest())
    ContentType.objects.clear_cache()

    assert list(ContentType.objects.filter(model="counter").values_list("pk", "app_label")) == [
        (old.pk, "offices")
    ]
    Permission = after.get_model("auth", "Permission")
    assert list(
        Permission.objects.filter(content_type_id=old.pk, codename="change_counter").values_list(
            "pk", flat=True
        )
    ) == [kept.pk]
    assert Permission.objects.get(pk=only_new.pk).content_type_id == old.pk
    assert after.get_model("admin", "LogEntry").objects.get(pk=entry.pk).content_type_id == old.pk

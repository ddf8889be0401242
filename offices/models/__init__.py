from offices.models.catalog import (
    Closure,
    Counter,
    Office,
    OfficeKind,
    OfficeService,
    OpeningHours,
    Service,
    Weekday,
)
from offices.models.staff import Role, StaffMembership

__all__ = [
    "Closure",
    "Counter",
    "Office",
    "OfficeKind",
    "OfficeService",
    "OpeningHours",
    "Role",
    "Service",
    "StaffMembership",
    "Weekday",
]

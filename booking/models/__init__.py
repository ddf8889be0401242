from booking.models.booking import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Channel,
    PriorityGroup,
    Slot,
    Source,
    VerificationCode,
)
from booking.models.catalog import (
    Closure,
    Counter,
    Office,
    OfficeKind,
    OfficeService,
    OpeningHours,
    Service,
    Weekday,
)
from booking.models.staff import Role, StaffMembership
from booking.models.waitlist import WaitlistEntry, WaitlistStatus

__all__ = [
    "ACTIVE_STATUSES",
    "Booking",
    "BookingStatus",
    "Channel",
    "Closure",
    "Counter",
    "Office",
    "OfficeKind",
    "OfficeService",
    "OpeningHours",
    "PriorityGroup",
    "Role",
    "Service",
    "Slot",
    "Source",
    "StaffMembership",
    "VerificationCode",
    "WaitlistEntry",
    "WaitlistStatus",
    "Weekday",
]

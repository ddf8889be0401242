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
from booking.models.waitlist import WaitlistEntry, WaitlistStatus

__all__ = [
    "ACTIVE_STATUSES",
    "Booking",
    "BookingStatus",
    "Channel",
    "PriorityGroup",
    "Slot",
    "Source",
    "VerificationCode",
    "WaitlistEntry",
    "WaitlistStatus",
]

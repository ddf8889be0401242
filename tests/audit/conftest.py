from tests.booking.conftest import clock, passport_here, slot

__all__ = ["clock", "passport_here", "slot"]

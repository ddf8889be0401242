"""The waiting room's two cookies on citizen pages, one pair per office-service: the
ticket (which room and member) and the admission once it is the citizen's turn. Both
are signed by Django and HttpOnly; the booking pages read them at the gate."""


def ticket_cookie(office_code: str, service_code: str) -> str:
    return f"giliran_room_{office_code}_{service_code}"


def admission_cookie(office_code: str, service_code: str) -> str:
    return f"giliran_admission_{office_code}_{service_code}"

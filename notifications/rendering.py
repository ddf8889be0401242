"""Turn a message row into words: a subject, a text body and (for email) HTML.

Templates live in templates/notifications/<kind>.txt and <kind>_subject.txt and are
rendered from the row's JSON context in the row's language. Django templates quietly
print nothing for a missing variable; a message with a hole in it must not reach a
citizen, so this engine marks every missing variable and `message_render` refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import translation

MISSING = "\x00missing:%s\x00"
_MISSING_PATTERN = re.compile("\x00missing:([^\x00]*)\x00")


class RenderError(Exception):
    """The template cannot produce a complete message; retrying will not help."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[str(settings.BASE_DIR / "templates")],
        string_if_invalid=MISSING,
        libraries={"i18n": "django.templatetags.i18n"},
        autoescape=False,  # plain text; the HTML part escapes on its own below
    )


@cache
def _html_engine() -> Engine:
    return Engine(dirs=[str(settings.BASE_DIR / "templates")], string_if_invalid=MISSING)


def _render(engine: Engine, name: str, context: dict[str, Any]) -> str:
    try:
        # A Context escapes unless told otherwise, whatever the engine says: the plain-text
        # engine's "no escaping" must be passed on, or an SMS reads "&amp;" for "&".
        output = engine.get_template(name).render(Context(context, autoescape=engine.autoescape))
    except TemplateDoesNotExist:
        raise RenderError(f"no template {name}") from None
    except TemplateSyntaxError as error:
        raise RenderError(f"template {name} is broken: {error}") from None
    missing = sorted(set(_MISSING_PATTERN.findall(output)))
    if missing:
        raise RenderError(f"template {name} needs {', '.join(missing)}, which the message lacks")
    return output.strip()


def message_render(
    *, kind: str, language: str, context: dict[str, Any], for_email: bool = True
) -> Rendered:
    """The message's words; the subject and HTML part only for email (an SMS has none)."""
    with translation.override(language):
        text = _render(_engine(), f"notifications/{kind}.txt", context)
        if not for_email:
            return Rendered(subject="", text=text, html="")
        subject = _render(_engine(), f"notifications/{kind}_subject.txt", context)
        html = _render(
            _html_engine(), "notifications/email.html", {"text": text, "language": language}
        )
    return Rendered(subject=" ".join(subject.split()), text=text, html=html)

"""Assistant replies: how long a citizen waits for Tanya Giliran's answer.

Scripted conversations of the demo country (assistant/conversation.py,
docs/assistant-conversations.md): greetings, requirements, hours, location and fees of
named offices and services, a question whose service is asked for and answered in the
next message, a document question, thanks, a message not understood, in Indonesian and
English, each conversation on its own channel user.

In process: `message_receive` per message, timed on a migrated PostgreSQL database with
the demo data, against a baseline measured in the same rounds: understanding alone
(`intent_of` + `entities_in`, the first steps of every reply), so the ratio shows what
the conversation, the skills and the stored turns cost. Goal (the assistant issue): p99
of at most 50 ms.

Over HTTP: `POST /api/v1/assistant/messages/` (each scripted conversation continued
with its token), one request at a time, alternating with the server's `GET /bench/hello/`
(same middleware, no work) in the same rounds; the per-user and per-address limits are
raised for the run, since one client sends everything.

    .venv/bin/python bench/assistant_replies.py            # full run, rewrites its docs section
    .venv/bin/python bench/assistant_replies.py --quick    # smoke run, leaves the docs alone
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from harness import net, run, stats

NAME = "assistant_replies"
P99_GOAL_MS = 50.0
PATH = "/api/v1/assistant/messages/"
PARAMS: dict[str, tuple[Any, Any, str]] = {
    "rounds": (5, 1, "rounds, each over every scripted conversation"),
    "http_rounds": (5, 1, "HTTP rounds, each over every scripted conversation"),
}

# Each inner list is one conversation, message by message.
SCRIPTS: list[list[str]] = [
    ["halo min", "syarat bikin paspor baru apa aja?", "berapa biayanya?", "makasih ya"],
    ["kanim jakarta pusat buka jam berapa?", "alamatnya di mana?", "oke terima kasih"],
    ["syaratnya apa aja ya?", "kartu keluarga", "kalau KK saya yang lama masih bisa?"],
    ["hello", "what are the opening hours of mpp denpasar?", "where is it?", "thanks"],
    ["how much does a new passport cost?", "what documents do I need for it?"],
    ["brp biaya cetak ulang ktp di mpp denpasar", "jam buka hari sabtu?"],
    ["qwerty asdf", "jam buka disdukcapil bandung"],
]
WARM_HTTP_PASSES = 3
LIMITS = {
    "GILIRAN_RATE_ASSISTANT_PER_USER": "1000000/m",
    "GILIRAN_RATE_ASSISTANT_PER_IP": "1000000/m",
}


def in_process(rounds: int) -> dict[str, list[float]]:
    """Milliseconds per message: the whole reply and, for the same message, the
    understanding alone (run in Django by the harness)."""
    from django.utils import timezone

    from assistant.conversation import Inbound, message_receive
    from assistant.understanding.classifier import intent_of
    from assistant.understanding.entities import entities_in

    reply_ms: list[float] = []
    understand_ms: list[float] = []
    # Unmeasured first pass: the model, the catalog index and the holiday calendar load
    # on first use, once per process.
    for script in SCRIPTS:
        for text in script:
            message_receive(Inbound(channel="api", text=text))
    for number in range(rounds):
        for index, script in enumerate(SCRIPTS):
            token = ""
            for text in script:
                started = time.perf_counter()
                intent_of(text)
                entities_in(text, now=timezone.now())
                understand_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                reply = message_receive(
                    Inbound(channel="api", text=text, conversation=token),
                )
                reply_ms.append((time.perf_counter() - started) * 1000)
                assert reply is not None, f"round {number}, script {index}: no reply"
                token = reply.conversation
    return {"reply": reply_ms, "understanding": understand_ms}


async def over_http(server: net.Server, rounds: int) -> dict[str, Any]:
    # Unmeasured passes first, so that every worker process has loaded what it loads on
    # first use (the model, the catalog index, the holiday calendar).
    for _warm in range(WARM_HTTP_PASSES):
        for script in SCRIPTS:
            for text in script:
                await net.http(server, "POST", PATH, json_body={"text": text})
    reply_ms: list[float] = []
    hello_ms: list[float] = []
    errors: list[str] = []
    for _ in range(rounds):
        for script in SCRIPTS:
            token = ""
            for text in script:
                started = time.perf_counter()
                hello = await net.http(server, "GET", net.BASELINE)
                hello_ms.append((time.perf_counter() - started) * 1000)
                body: dict[str, str] = {"text": text}
                if token:
                    body["conversation"] = token
                started = time.perf_counter()
                answer = await net.http(server, "POST", PATH, json_body=body)
                reply_ms.append((time.perf_counter() - started) * 1000)
                if answer.status != 200 or not isinstance(answer.body, dict):
                    errors.append(f"{answer.status} {answer.error}")
                    continue
                if hello.status != 200:
                    errors.append(f"hello {hello.status}")
                token = str(answer.body.get("conversation", ""))
    return {"reply": reply_ms, "hello": hello_ms, "errors": errors}


def _row(label: str, values: list[float], base: list[float]) -> list[Any]:
    return [
        label,
        len(values),
        f"{stats.percentile(values, 50, 2)} ms",
        f"{stats.percentile(values, 99, 2)} ms",
        stats.num(stats.ratio(stats.percentile(values, 99, 3), stats.percentile(base, 99, 3)), "×"),
    ]


def main() -> int:
    bench = run.Bench(NAME, __doc__ or "", PARAMS, groups=("server", "database"))
    with bench.database() as env:
        env.update(LIMITS)
        run.manage(env, "assistant_train")
        local = run.django_call(env, in_process, rounds=bench.o.rounds)
        with net.gunicorn(env, bench.o, bench.path("gunicorn.log")) as server:
            http = asyncio.run(over_http(server, bench.o.http_rounds))
    problems = net.log_problems(server.log)
    p99 = stats.percentile(local["reply"], 99, 3) or 0.0
    headers = ["measured", "messages", "p50", "p99", "p99 / baseline"]
    section = stats.section(
        "Assistant replies",
        __doc__ or "",
        bench.command,
        bench.run_line(stats.versions("django", "scikit-learn", "gunicorn")),
        f"**In process: p99 {p99:.2f} ms** ({stats.verdict(p99 <= P99_GOAL_MS)} against the "
        f"{P99_GOAL_MS:.0f} ms goal), over {len(SCRIPTS)} conversations "
        f"({sum(len(s) for s in SCRIPTS)} messages) × {bench.o.rounds} rounds.",
        stats.table(
            headers,
            [
                _row(
                    "understanding alone (baseline)", local["understanding"], local["understanding"]
                ),
                _row("`message_receive` (the reply)", local["reply"], local["understanding"]),
            ],
        ),
        "Over HTTP, one request at a time, the API call alternating with the hello:",
        stats.table(
            headers,
            [
                _row("`GET /bench/hello/` (baseline)", http["hello"], http["hello"]),
                _row(f"`POST {PATH}`", http["reply"], http["hello"]),
            ],
        ),
        f"Server: gunicorn, {bench.o.workers} {bench.o.worker_class} workers, `DEBUG=0`, on "
        "127.0.0.1; one client, one request at a time. The model is trained on the full "
        "data set first (`manage.py assistant_train`).",
    )
    failures = (
        [f"{len(http['errors'])} HTTP errors: {http['errors'][:3]}"] if http["errors"] else []
    )
    failures += [f"server log: {p}" for p in problems]
    return bench.finish(
        {"in_process": local, "http": http, "problems": problems}, section, failures
    )


if __name__ == "__main__":
    sys.exit(main())

"""`manage.py check --deploy` passes under production-like settings, and bites without them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "q8Zf3-production-like-secret-key-for-the-deploy-check-7Hk2Lm9Pw4Xr6Tv1Ny",
    "ALLOWED_HOSTS": "giliran.example.go.id",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "GILIRAN_DATA_KEYS": (
        "q2hjbTc0ZmxLa0NvZ2V6eTZhZ2VsZm1mQ1JlRkJ2b0E=,0sYHQkz3fv3gYxX8HkFU4dm2dXBjbU8vT0NhMXV3N1E="
    ),
    "GILIRAN_HASH_KEY": "hmac-key-for-the-deploy-check-0123456789abcdef",
    "GILIRAN_SMS_GATEWAY_URL": "https://sms.example.go.id/messages",
    "GILIRAN_WHATSAPP_GATEWAY_URL": "https://wa.example.go.id/messages",
}


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    test_only = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "GILIRAN_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = _check(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_refuses_missing_personal_data_keys(tmp_path: Path) -> None:
    without = {k: v for k, v in PRODUCTION.items() if not k.startswith("GILIRAN_")}
    result = _check(without, tmp_path)
    assert result.returncode != 0
    assert "giliran.E001" in result.stdout + result.stderr
    assert "giliran.E003" in result.stdout + result.stderr


def test_deploy_check_fails_on_the_development_key(tmp_path: Path) -> None:
    result = _check({k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}, tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_deploy_check_warns_when_a_message_gateway_is_missing(tmp_path: Path) -> None:
    result = _check(
        {k: v for k, v in PRODUCTION.items() if k != "GILIRAN_WHATSAPP_GATEWAY_URL"}, tmp_path
    )
    assert result.returncode != 0
    assert "giliran.W004" in result.stdout + result.stderr and "whatsapp" in result.stderr

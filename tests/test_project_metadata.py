"""The package metadata in pyproject.toml is current, so installing Giliran prints only
what matters: setuptools deprecated the `license = { text = … }` table (PEP 639) and
warns on every install until the field is a plain SPDX expression."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.licenses import canonicalize_license_expression
from packaging.requirements import Requirement

PYPROJECT = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())


def test_license_is_a_canonical_spdx_expression() -> None:
    license_field = PYPROJECT["project"]["license"]
    assert isinstance(license_field, str), "project.license must be an SPDX string (PEP 639)"
    assert canonicalize_license_expression(license_field) == license_field


def test_build_backend_understands_spdx_licenses() -> None:
    # setuptools reads an SPDX `license` string from version 77 on; older ones reject it.
    (setuptools,) = [
        Requirement(spec)
        for spec in PYPROJECT["build-system"]["requires"]
        if Requirement(spec).name == "setuptools"
    ]
    assert setuptools.specifier.contains("77")
    assert not setuptools.specifier.contains("76.1")


def test_editable_install_is_a_plain_path_entry() -> None:
    # With the apps at the repository's top, `package-dir = {"" = "."}` lets setuptools
    # install `pip install -e .` as one .pth line, without warning about its finder.
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"": "."}

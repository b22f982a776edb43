"""Where the templates and the migrations are: inside the package in a built wheel (setup.py copies them there),
at the top level of the repository in the source tree and an editable install (the project's layout)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = shipped("templates")
MIGRATIONS_DIR = shipped("piccolo_migrations")

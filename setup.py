"""Build hook: the wheel carries the top-level templates/ and piccolo_migrations/ inside the package
(training/templates, training/piccolo_migrations), so `pip install .` serves every page and migrates.

Everything else is in pyproject.toml. In the source tree (and an editable install) the code finds both folders at
the top level instead: training/paths.py looks inside the package first, then beside it.
"""

from __future__ import annotations

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("templates", "piccolo_migrations")


class BuildWithTopLevelData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree
        for name in BUNDLED:
            shutil.copytree(
                name,
                os.path.join(self.build_lib, "training", name),
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                dirs_exist_ok=True,
            )


setup(cmdclass={"build_py": BuildWithTopLevelData})

"""training: teacher-training programmes for aided counties."""

import os

os.environ.setdefault("PICCOLO_CONF", "training.piccolo_conf")

__version__ = "0.1.0"

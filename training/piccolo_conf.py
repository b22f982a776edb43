"""Piccolo's configuration module (PICCOLO_CONF=training.piccolo_conf).

DB is replaced at start-up by training.db.use_engine(); this default lets Piccolo's own CLI work too.
"""

from piccolo.conf.apps import AppRegistry

from training.config import load_settings
from training.db import make_engine

DB = make_engine(load_settings())
APP_REGISTRY = AppRegistry(apps=["training.piccolo_app"])

"""create_app(settings) → Litestar: templates, static files, every domain's routes, the database lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib import import_module
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from training import __version__, db, keys, memory, textguard, wiring, worker
from training.accounts import service as accounts
from training.accounts import tokens
from training.config import Settings, load_settings
from training.crypto import b64url, derive_key
from training.files import private_dir
from training.rendering.templates import build_environment
from training.sms import state as sms_state
from training.web.errors import EXCEPTION_HANDLERS
from training.web.inputs import TrainingRequest, check_parameters
from training.web.middleware import Logins, RequestContext
from training.web.nav import NavItem
from training.web.openapi import TimeOfDaySchema, document_error_responses
from training.web.urls import bind as bind_route_names

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# Each domain's web module exposes `route_handlers` (and optionally `nav_items`, `background_tasks`).
DOMAIN_WEB_MODULES = (
    "training.web.pages",
    "training.accounts.web",
    "training.accounts.admin_web",
    "training.people.web",
    "training.programmes.web",
    "training.enrollment.web",
    "training.checkin.web",
    "training.checkin.account_web",
    "training.certificates.web",
    "training.certificates.print_web",
    "training.checkin.signin_web",
    "training.checkin.corrections_web",
    "training.ledger.web",
    "training.exchange.web",
    "training.survey.web",
    "training.stats.web",
    "training.mail.web",
    "training.sms.web",
    "training.notify.web",
    "training.audit.web",
    "training.privacy.web",
    "training.hosting.web",
)

log = logging.getLogger("training")


class OneLineFormatter(logging.Formatter):
    """One record, one line: the message is escaped (a path or name carrying a line break cannot forge a record),
    and a traceback's lines are indented, so no line of it can pass for the start of a record."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = textguard.log_safe(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        text = super().formatException(ei)
        return "\n".join("    | " + textguard.log_safe(line) for line in text.splitlines())

    def formatStack(self, stack_info: str) -> str:
        return "\n".join("    | " + textguard.log_safe(line) for line in stack_info.splitlines())


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_training", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._training = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)


def create_app(settings: Settings | None = None, *, manage_engine: bool = True) -> Litestar:
    """Build the application. With manage_engine=False the caller (tests) has already bound an engine."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    keys.configure(settings.secret_key)
    sms_state.configure(settings)
    wiring.install()

    modules = [import_module(name) for name in DOMAIN_WEB_MODULES]
    route_handlers: list[Any] = [h for m in modules for h in getattr(m, "route_handlers", [])]
    nav_items: list[NavItem] = sorted(
        (item for m in modules for item in getattr(m, "nav_items", [])), key=lambda item: item.order
    )
    background_factories = [
        *(f for m in modules for f in getattr(m, "background_tasks", [])),
        worker.run_in_server,
    ]

    environment = build_environment()
    environment.globals["nav_items"] = nav_items
    environment.globals["settings"] = settings
    environment.globals["app_version"] = __version__

    engine = db.make_engine(settings) if manage_engine else db.current_engine()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        private_dir(settings.data_dir)
        if manage_engine:
            db.use_engine(engine)
            await db.start(engine, settings)
        tasks = [
            asyncio.create_task(factory(settings), name=factory.__name__) for factory in background_factories
        ]
        # without these the resident size creeps up under steady traffic (malloc keeps what was freed)
        memory.tune()
        if manage_engine:
            log.debug("objects frozen after start-up: %d", memory.freeze_startup_objects())
        tasks.append(
            asyncio.create_task(memory.trim_periodically(settings.memory_trim_interval_s), name="trim_memory")
        )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if manage_engine:
                await db.stop(engine)

    application = Litestar(
        route_handlers=[
            *route_handlers,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], name="static", send_as_attachment=False
            ),
        ],
        lifespan=[lifespan],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        csrf_config=CSRFConfig(
            secret=b64url(derive_key(settings.secret_key, "csrf")),
            cookie_name="csrftoken",
            cookie_samesite="strict",
            cookie_secure=settings.base_url.startswith("https://"),
            exclude=["^/healthz$", "^/api/v1/ping$"],  # no forms, no cookie to hand out
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=TrainingRequest,  # the boundary check on decoded input (training/web/inputs.py)
        before_request=check_parameters,
        openapi_config=OpenAPIConfig(
            title="training",
            version=__version__,
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        plugins=[TimeOfDaySchema()],
        request_max_body_size=MAX_UPLOAD_BYTES,
        state=State({"settings": settings}),
        debug=False,
    )
    document_error_responses(application)
    bind_route_names(application)
    application.asgi_handler = RequestContext(
        application.asgi_handler,
        Logins(accounts.principal_for_token, tokens.principal_for, tokens.allows),
        https=settings.base_url.startswith("https://"),
        csrf_secret=b64url(derive_key(settings.secret_key, "csrf")),
    )
    return application


def settings_of(state: State) -> Settings:
    return state["settings"]  # type: ignore[no-any-return]

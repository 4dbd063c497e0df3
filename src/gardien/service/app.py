"""The app factory: ``create_app(settings)`` builds one independent Gardien service.

Everything is checked here, before the first request (fail loudly at start-up): the policy
file, the database and its schema, the master key. The routes are thin: each parses, calls a
domain package (ledger, requests, documents, audit) and shapes the answer.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from gardien.datasets import DatasetEngine, load_dataset, url_from_env
from gardien.errors import ConfigurationError
from gardien.identity import OneTimeCodes, codes_key
from gardien.ledger import IdentifierVault, Ledger
from gardien.notify import Mailer, MailSettings, OutboxMailer, mailer_from_settings
from gardien.policy import load_policy
from gardien.requests.workflow import RequestWorkflow
from gardien.service.api import api_router
from gardien.service.auth import KeyVerifier
from gardien.service.banner import LedgerBannerSink, banner_router
from gardien.service.batching import ConsentWriter
from gardien.service.console import router as console_router
from gardien.service.context import ServiceContext, ServiceOptions
from gardien.service.errors import install_error_handlers
from gardien.service.freshness import CacheFreshness
from gardien.service.pages import install_page_handlers
from gardien.service.portal import router as portal_router
from gardien.service.retention import daily_sweep
from gardien.service.sessions import SessionStore
from gardien.service.worker import WorkerHeader
from gardien.settings import Settings
from gardien.storage import check_reachable, create_engine, require_current
from gardien.vault import FieldCipher, dataset_hash_key, derive_subkey, load_master_keys, vault_for

STATIC = Path(__file__).parent / "static"
GC_THRESHOLDS = (50_000, 20, 100)
"""Generation thresholds of a serving worker (Python's defaults: 700, 10, 10)."""
API_PREFIX = "/api/v1"


def create_app(
    settings: Settings,
    *,
    options: ServiceOptions | None = None,
    mailer: Mailer | None = None,
) -> FastAPI:
    """A ready service for ``settings``; raises :class:`ConfigurationError` if it cannot run."""
    options = options or ServiceOptions()
    if settings.policy is None:
        raise ConfigurationError("no policy file: set GARDIEN_POLICY or pass --policy")
    policy = load_policy(settings.policy)
    engine = create_engine(settings.database_url)
    check_reachable(engine)
    require_current(engine)
    master = settings.master_key.get_secret_value() if settings.master_key else None
    keys = load_master_keys(settings.resolved_key_file(), master)
    if mailer is None:
        mailer = (
            OutboxMailer(options.outbox)
            if options.outbox is not None
            else mailer_from_settings(MailSettings())
        )
    ledger = Ledger(
        engine,
        policy,
        IdentifierVault(keys),
        actor=settings.actor,
        cache_size=options.state_cache_size,
    )
    codes = OneTimeCodes(engine, codes_key(keys), mailer)
    declarations = [load_dataset(path, policy) for path in options.dataset_files]
    datasets = [
        DatasetEngine(
            dataset,
            url_from_env(dataset, os.environ),
            policy=policy,
            hash_key=dataset_hash_key(keys),
        )
        for dataset in declarations
    ]
    ctx = ServiceContext(
        settings=settings,
        options=options,
        engine=engine,
        policy=policy,
        keys=keys,
        verifier=KeyVerifier(engine, options.key_cache_seconds),
        codes=codes,
        mailer=mailer,
        ledger=ledger,
        freshness=CacheFreshness(engine, ledger),
        consent_writer=ConsentWriter(ledger),
        requests=RequestWorkflow(
            ledger,
            keys,
            mailer,
            datasets=datasets,
            output_dir=options.requests_dir,
            codes=codes,
            data_vault=vault_for(engine, keys, settings.resolved_key_file(), actor=settings.actor),
        ),
        sessions=SessionStore(
            engine,
            derive_subkey(keys.index_key(), "service/session-cookie"),
            FieldCipher(keys),
            options.session_lifetime,
        ),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Each worker follows the ledger's changes (issue 9): see docs/multi-process.md.
        ledger.subscribe()
        # The daily retention sweep (issue 5); its lease lets one worker sweep per day.
        sweeper = (
            daily_sweep(engine, policy, declarations, keys, options.retention_at)
            if options.retention_at is not None
            else None
        )
        if sweeper is not None:
            sweeper.start()
        _app.state.retention = sweeper
        yield
        if sweeper is not None:
            sweeper.stop()
        ledger.unsubscribe()
        ctx.freshness.close()
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Gardien",
        version="1",
        summary="Your privacy policy, executable under the GDPR",
        description=(
            "Decisions, consents, objections, restrictions, data-subject requests, the notice, "
            "the register and the audit trail. Every route but the notice needs an API key "
            "(`Authorization: Bearer gdn_…`) holding the route's scope."
        ),
    )
    app.state.gardien = ctx
    app.add_middleware(WorkerHeader)
    install_error_handlers(app)
    install_page_handlers(app)
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(portal_router)
    app.include_router(console_router)
    app.include_router(banner_router(lambda: policy, LedgerBannerSink(ledger)))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/portal", status_code=303)

    @app.get("/notice", include_in_schema=False)
    def notice() -> RedirectResponse:
        """Where the cookie banner links ("notice" beside ``/banner.js``)."""
        return RedirectResponse("/portal/notice", status_code=303)

    return app


def app_from_environment() -> FastAPI:
    """The factory ``gardien serve`` gives uvicorn: settings from ``GARDIEN_*`` variables.

    This is the edge where the environment is read, once per worker process. It is also where
    the worker's garbage collector is tuned for latency: what start-up built (the policy, the
    routes, the ORM's caches) is frozen out of collection, and collections run less often,
    so that a full collection over a large heap (100+ ms) does not stall requests. Memory
    stays bounded: unreachable cycles are still collected, in larger, rarer batches.
    """
    app = create_app(Settings(), options=ServiceOptions.from_environment(os.environ))
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app

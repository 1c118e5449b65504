"""Composition root: the only module that names implementations.

Tests swap implementations by building a Container (or `dataclasses.replace`-ing one) here.

Tracing (`app.core.tracing`) is wired here too: with a tracer provider (from
`OTEL_EXPORTER_OTLP_ENDPOINT`, or given by a test), the engine, Redis, Celery and every `*_service`
of the container are instrumented; without one, nothing is.
"""

import os
import threading
from dataclasses import dataclass
from functools import partial

from celery import Celery
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine

from app.config.settings import Settings, get_settings
from app.core import tracing
from app.core.security import PasswordHasher, TokenService
from app.grpc.client.channel import ChannelPool
from app.model.user import User
from app.repository import database
from app.repository.attempt_counter import AttemptCounter
from app.repository.cache_repository import CacheRepository
from app.service.auth_service import AuthService
from app.service.health_service import HealthService
from app.service.task_queue import TaskQueue
from app.tasks.celery_app import trace_celery
from app.tasks.mailer import Mailer
from app.tasks.outbox_relay import OutboxRelay

# Implementations, in the order resources were added.
# isort: off
from app.grpc.client.auth_service_client import AuthServiceClient
from app.repository.cache_repository_impl import NullCacheRepository, RedisCacheRepository
from app.repository.attempt_counter_impl import InMemoryAttemptCounter, RedisAttemptCounter
from app.repository.refresh_token_repository_impl import RefreshTokenRepositoryImpl
from app.repository.user_repository_impl import UserRepositoryImpl
from app.service.auth_service_impl import AuthLimits, AuthServiceImpl
from app.service.health_service_impl import HealthServiceImpl
from app.repository.task_outbox_repository_impl import TaskOutboxRepositoryImpl
from app.tasks.mailer_impl import LoggingMailer
from app.tasks.task_queue_impl import CeleryTaskQueue
from app.grpc.client.product_service_client import ProductServiceClient
from app.repository.product_repository_impl import ProductRepositoryImpl
from app.service.product_service import ProductService
from app.service.product_service_impl import ProductServiceImpl
from app.grpc.client.order_item_service_client import OrderItemServiceClient
from app.repository.order_item_repository_impl import OrderItemRepositoryImpl
from app.service.order_item_service import OrderItemService
from app.service.order_item_service_impl import OrderItemServiceImpl
# arcana:wiring-imports
# isort: on


@dataclass
class Container:
    settings: Settings
    engine: Engine | None
    """None in a layered REST process, which reaches the services over gRPC."""
    session_factory: database.SessionFactory | None
    tracer_provider: TracerProvider | None
    """Set while tracing is on: the adapters instrument themselves with it."""
    cache: CacheRepository
    mailer: Mailer
    task_queue: TaskQueue
    health_service: HealthService
    auth_service: AuthService
    product_service: ProductService
    order_item_service: OrderItemService
    # arcana:wiring-fields
    channels: ChannelPool | None = None
    """The gRPC channels of a layered REST process."""

    def sessions(self) -> database.SessionFactory:
        """The database session factory (not in a layered REST process, which has none)."""
        if self.session_factory is None:
            raise RuntimeError("A layered REST process has no database: DEPLOYMENT_MODE=layered")
        return self.session_factory

    def close(self) -> None:
        self.cache.close()
        if self.channels is not None:
            self.channels.close()
        if self.engine is not None:
            self.engine.dispose()


def build_container(
    settings: Settings | None = None,
    *,
    password_hasher: PasswordHasher | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Container:
    """Wire every implementation from `settings` (default: the process settings).

    `password_hasher` replaces the production argon2 parameters, for tests that log in often.
    `tracer_provider` replaces the one of the settings (none while tracing is off).
    """
    settings = settings or get_settings()
    tracer_provider = tracer_provider or tracing.tracer_provider(settings)
    if settings.is_layered:
        return build_layered_container(settings, tracer_provider)
    engine = database.create_db_engine(settings.database_url.get_secret_value())
    session_factory = database.create_session_factory(engine)
    # Without Redis nothing is cached: an in-process cache could not be invalidated by the
    # other processes (workers, the gRPC server) that write the same rows.
    cache: CacheRepository = (
        RedisCacheRepository.from_url(
            settings.redis_url.get_secret_value(),
            key_prefix=settings.cache_key_prefix,
            socket_timeout_seconds=settings.redis_socket_timeout_seconds,
            # Every key is also kept in each process, invalidated by every write (see the module):
            # cached rows and auth states are read far more often than they change.
            mirrored_prefixes=("",),
        )
        if settings.redis_url
        else NullCacheRepository()
    )
    tokens = token_service(settings)
    task_queue: TaskQueue = CeleryTaskQueue(outbox=TaskOutboxRepositoryImpl(session_factory))
    health_service = HealthServiceImpl(
        {"database": partial(database.ping, engine), "cache": cache.ping}
    )
    # Login and registration attempts are counted in Redis, shared by every process, when there
    # is one; in process otherwise (each process then allows the limits on its own).
    attempts: AttemptCounter = (
        RedisAttemptCounter(cache.client, key_prefix=settings.cache_key_prefix + "attempts:")
        if isinstance(cache, RedisCacheRepository)
        else InMemoryAttemptCounter()
    )
    auth_service = AuthServiceImpl(
        users=UserRepositoryImpl(session_factory),
        refresh_tokens=RefreshTokenRepositoryImpl(session_factory),
        cache=cache,
        tokens=tokens,
        hasher=password_hasher or PasswordHasher(),
        attempts=attempts,
        tasks=task_queue,
        cache_ttl_seconds=settings.cache_ttl_seconds,
        limits=auth_limits(settings),
    )
    # A change of a user row, in any process, replaces the user's cached auth state first.
    database.watch_rows(session_factory, User, auth_service.user_changed)
    product_service = ProductServiceImpl(
        repository=ProductRepositoryImpl(session_factory),
        cache=cache,
        cache_ttl_seconds=settings.cache_ttl_seconds,
    )
    order_item_service = OrderItemServiceImpl(
        repository=OrderItemRepositoryImpl(session_factory),
        cache=cache,
        cache_ttl_seconds=settings.cache_ttl_seconds,
    )
    # arcana:wiring
    container = Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        tracer_provider=tracer_provider,
        cache=cache,
        mailer=LoggingMailer(),
        task_queue=task_queue,
        health_service=health_service,
        auth_service=auth_service,
        product_service=product_service,
        order_item_service=order_item_service,
        # arcana:wiring-args
    )
    if tracer_provider is not None:
        _trace(container, tracer_provider)
    return container


def _trace(container: Container, provider: TracerProvider) -> None:
    """Tracing is on: spans for SQL, Redis, tasks and every call into the service layer."""
    if container.engine is not None:
        tracing.instrument_engine(container.engine, provider)
    tracing.trace_services(container, provider)
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    redis = RedisInstrumentor()
    if not redis.is_instrumented_by_opentelemetry:
        redis.instrument(tracer_provider=provider)
    trace_celery(provider)


def build_layered_container(
    settings: Settings, tracer_provider: TracerProvider | None = None
) -> Container:
    """Bind every service Protocol to its gRPC client: no database, cache or broker here."""
    channels = ChannelPool(
        settings.grpc_targets, timeout_seconds=settings.grpc_client_timeout_seconds
    )
    health_service = HealthServiceImpl({"upstream": channels.ping})
    auth_service = AuthServiceClient(channels, token_service(settings))
    container = Container(
        settings=settings,
        engine=None,
        session_factory=None,
        tracer_provider=tracer_provider,
        cache=NullCacheRepository(),
        mailer=LoggingMailer(),
        task_queue=CeleryTaskQueue(),
        health_service=health_service,
        auth_service=auth_service,
        product_service=ProductServiceClient(channels),
        order_item_service=OrderItemServiceClient(channels),
        # arcana:layered-wiring-args
        channels=channels,
    )
    if tracer_provider is not None:
        tracing.trace_services(container, tracer_provider)
    return container


def build_outbox_relay(app: Celery, settings: Settings | None = None) -> OutboxRelay:
    """The worker's outbox relay, over an engine of its own of at most two connections.

    The relay runs in the worker's main process, which forks the pool's processes: a forked
    process forgets the engine's connections (`dispose(close=False)`) instead of sharing them.
    """
    settings = settings or get_settings()
    engine = database.create_db_engine(
        settings.database_url.get_secret_value(), pool_size=1, max_overflow=1
    )
    os.register_at_fork(after_in_child=partial(engine.dispose, close=False))
    outbox = TaskOutboxRepositoryImpl(database.create_session_factory(engine))
    return OutboxRelay(
        outbox,
        app,
        interval_seconds=settings.outbox_relay_interval_seconds,
        close=engine.dispose,
    )


def auth_limits(settings: Settings) -> AuthLimits:
    return AuthLimits(
        login_failures_per_account=settings.login_failures_per_account,
        login_failures_per_address=settings.login_failures_per_address,
        login_window_seconds=settings.login_window_seconds,
        registrations_per_address=settings.registrations_per_address,
        registration_window_seconds=settings.registration_window_seconds,
    )


def token_service(settings: Settings) -> TokenService:
    return TokenService(
        secret=settings.jwt_secret.get_secret_value(),
        algorithm=settings.jwt_algorithm,
        access_ttl_seconds=settings.access_token_ttl_seconds,
        refresh_ttl_seconds=settings.refresh_token_ttl_seconds,
    )


_container: Container | None = None
_container_lock = threading.Lock()


def get_container() -> Container:
    """The process-wide container, built on first use (REST app, Celery tasks)."""
    global _container
    with _container_lock:
        if _container is None:
            _container = build_container()
        return _container


def set_container(container: Container | None) -> None:
    """Install (or with None, forget) the process-wide container."""
    global _container
    _container = container

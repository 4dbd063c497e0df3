"""The HTTP service: API, privacy portal, DPO console (thin: calls the packages below it)."""

from gardien.service.app import create_app
from gardien.service.auth import ApiKey, CreatedKey, Scope, create_key, list_keys, revoke_key
from gardien.service.context import ServiceContext, ServiceOptions

__all__ = [
    "ApiKey",
    "CreatedKey",
    "Scope",
    "ServiceContext",
    "ServiceOptions",
    "create_app",
    "create_key",
    "list_keys",
    "revoke_key",
]

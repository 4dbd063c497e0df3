"""The HTTP API (``/api/v1``): one router per concept, each guarded by its scope."""

from fastapi import APIRouter

from gardien.service.api import audit, consents, decisions, documents, requests

api_router = APIRouter()
api_router.include_router(decisions.router)
api_router.include_router(consents.writes)
api_router.include_router(consents.reads)
api_router.include_router(requests.reads)
api_router.include_router(requests.writes)
api_router.include_router(requests.admin)
api_router.include_router(documents.public)
api_router.include_router(documents.register_router)
api_router.include_router(audit.router)

__all__ = ["api_router"]

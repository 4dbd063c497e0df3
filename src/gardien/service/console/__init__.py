"""The DPO console: requests by deadline and their actions, the register, the notice, the audit."""

from gardien.service.console.routes import router

__all__ = ["router"]

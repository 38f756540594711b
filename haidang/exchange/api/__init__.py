"""API: imports (`/imports`) and exports (`/exports`); each side adds its router here."""

from ninja import Router

from haidang.exchange.api import exports, imports

router = Router(tags=["exchange"])
router.add_router("", exports.router)
router.add_router("", imports.router)

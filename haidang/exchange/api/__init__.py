"""API: imports (`/imports`) and exports (`/exports`); each side adds its router here."""

from ninja import Router

router = Router(tags=["exchange"])

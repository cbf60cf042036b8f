"""The pages, one module a page family; each handler calls the register and visor
functions the API and the CLI call."""

from fastapi import APIRouter

from api.web.context import WebRoute
from api.web.pages import admin, attachments, audits, nominals, partnerships, search, sign_in

router = APIRouter(route_class=WebRoute, include_in_schema=False)
for module in (sign_in, search, nominals, attachments, partnerships, audits, admin):
    router.include_router(module.router)

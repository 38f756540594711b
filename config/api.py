"""The JSON API at /api/v1/: routers from each domain app on one NinjaAPI."""

from haidang.access.api import BearerAuth
from haidang.access.api import router as access_router
from haidang.audit.api import router as audit_router
from haidang.cases.api import router as cases_router
from haidang.common.api import HaiDangAPI, install_error_handlers
from haidang.exchange.api import router as exchange_router
from haidang.places.api import router as places_router
from haidang.prevention.api import router as prevention_router
from haidang.proceedings.api import router as proceedings_router
from haidang.reporting.api import router as reporting_router
from haidang.statistics.api import router as statistics_router

api = HaiDangAPI(
    title="Hải Đăng API",
    version="1",
    description="JSON API of Hải Đăng. Authenticate with a bearer token from POST /api/v1/auth/token.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # Served as a server-rendered page (no third-party scripts): /api/v1/docs
    auth=BearerAuth(),
)
install_error_handlers(api)
api.add_router("", access_router)
api.add_router("", places_router)
api.add_router("", audit_router)
api.add_router("", prevention_router)
api.add_router("", cases_router)
api.add_router("", reporting_router)
api.add_router("", proceedings_router)
api.add_router("", statistics_router)
api.add_router("", exchange_router)

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The URLs and with them every view module loaded now, then everything alive moved out of the collector's
# reach: the loaded code never becomes garbage, and a full collection walked it all (~100 ms on the worker,
# with every thread waiting, about once per 60 case-list requests).
get_resolver().url_patterns  # noqa: B018
gc.freeze()

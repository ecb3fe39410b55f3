import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
application = get_wsgi_application()

# The objects Django and the apps built at start-up (about 260,000: models,
# URL patterns, translations, libraries) live as long as the worker: moved
# out of the collector's reach, so its full collections walk only what the
# requests left behind. A request's objects outlive two young collections
# and reach the oldest generation, so a page that allocates much (the home
# page) set off a full collection of the whole heap every few dozen
# requests: for the home page at 100,000 items, 0.1-1 ms a request on
# average over runs of 150-1,000 requests (mean minus median; the median
# unchanged; issue 12). The floor allocates too little to trigger them.
# Each gunicorn worker imports this module after forking.
get_resolver().url_patterns  # every view module imported now, not on the first request
gc.collect()
gc.freeze()

import redis
from django.conf import settings


def broker_status() -> str:
    """"embedded" with the filesystem broker, else whether Redis answers a PING."""
    if not settings.REDIS_URL:
        return "embedded"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception:  # unreachable, refused, auth… all mean "down" here
        return "down"

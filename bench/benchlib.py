"""What both benchmarks share: the local servers and a schema of their own."""
import argparse
import re

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def reachable_redis(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def reset_pg_schema(schema):
    """Drop and create the benchmark's own schema; return the URL that selects it."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def schema_name(value):
    """argparse type: a plain identifier, safe to put into DROP/CREATE SCHEMA."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a plain lower-case identifier")
    return value

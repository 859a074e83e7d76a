"""The forms a case reads: those deployed with its process version, then the shipped ones.

A version's files never change (``version_file`` rows are written once, with the
version), so their text is cached by the version's digest (``process_version.sha256``,
which covers every file deployed with it): two versions with the same digest hold the
same files, whatever database or process they belong to. The cache is bounded by the
characters it holds.
"""
import threading
from collections import OrderedDict

from engine import bundles
from engine.db import db
from engine.models import ProcessInstance, ProcessVersion, VersionFile

from .definitions import SHIPPED, Source

MAX_CACHED_CHARS = 20_000_000


class _TextCache:
    """``{digest: {file name: text}}``, least recently used first out past ``limit`` characters."""

    def __init__(self, limit=MAX_CACHED_CHARS):
        self.limit = limit
        self._items = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, digest):
        with self._lock:
            files = self._items.get(digest)
            if files is not None:
                self._items.move_to_end(digest)
            return files

    def put(self, digest, files):
        size = sum(len(text) for text in files.values())
        if size > self.limit:
            return
        with self._lock:
            if digest not in self._items:
                self._items[digest] = files
                self._size += size
            while self._size > self.limit:
                _old, dropped = self._items.popitem(last=False)
                self._size -= sum(len(text) for text in dropped.values())


_CACHE = _TextCache()


def of_version(version_id):
    """The :class:`forms.definitions.Source` of process version ``version_id``: its JSON
    files, then ``definitions/``; the shipped forms only when there is no such version."""
    digest = db.session.query(ProcessVersion.sha256).filter_by(id=version_id).scalar()
    if digest is None:
        return SHIPPED
    files = _CACHE.get(digest)
    if files is None:
        files = dict(db.session.query(VersionFile.name, VersionFile.content)
                     .filter(VersionFile.version_id == version_id, VersionFile.kind == bundles.JSON))
        _CACHE.put(digest, files)
    return Source(files)


def of_instance(instance_id):
    """The forms case ``instance_id`` reads (its version's); the shipped ones when there is no such case."""
    version_id = db.session.query(ProcessInstance.version_id).filter_by(id=instance_id).scalar()
    return SHIPPED if version_id is None else of_version(version_id)


def of_task(task):
    """The forms a user task (a ``human_task`` row) reads: its case's version's."""
    return of_instance(task.instance_id)


def of_bundle(bundle):
    """The forms a bundle being deployed brings: its JSON files, then ``definitions/``."""
    return Source({f.name: f.text() for f in bundle.of_kind(bundles.JSON)})

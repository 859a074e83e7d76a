"""What one deploy brings: a BPMN document alone, or a bundle of BPMN, DMN and JSON files.

A bundle comes as several uploaded files or as one zip (a spiff-arena process model
folder zipped, say). Files are known by their base name, as diagrams name them: a call
activity names a process id, a business rule task a decision id, a user task its form
file (``formJsonSchemaFilename``) without a folder. Files of other kinds (a README, a
picture, spiff-arena's ``process_model.json`` is kept as JSON) are left out and named in
:attr:`Bundle.skipped`, so the owner can see what was not deployed.
"""
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .errors import DeployError

BPMN, DMN, JSON = "bpmn", "dmn", "json"
_SUFFIXES = ((".bpmn20.xml", BPMN), (".bpmn", BPMN), (".xml", BPMN), (".dmn", DMN), (".json", JSON))
MAX_FILES = 200
MAX_NAME = 255  # version_file.name
MAX_TOTAL_BYTES = 20_000_000
_IGNORED = ("__MACOSX/", ".")


@dataclass(frozen=True)
class BundleFile:
    name: str
    kind: str
    data: bytes

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()

    def text(self):
        """The file as text (UTF-8; XML in another declared encoding is the parser's to read)."""
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Bundle:
    """The files of one deploy, in the order they came; names are unique. ``borrowed`` lists
    the files taken from deployed versions (:class:`engine.resolution.Borrowed`): their
    processes are called, not deployed again."""

    files: tuple = ()
    skipped: tuple = field(default=(), compare=False)
    borrowed: tuple = field(default=(), compare=False)

    def of_kind(self, kind):
        return [f for f in self.files if f.kind == kind]

    def get(self, name):
        return next((f for f in self.files if f.name == name), None)

    @property
    def name(self):
        """What to call the bundle in messages and in a version's ``source_name``: its
        first BPMN file."""
        first = next(iter(self.of_kind(BPMN)), None) or next(iter(self.files), None)
        return first.name if first else "diagram"

    def with_files(self, extra):
        """This bundle and ``extra`` (``BundleFile``s of names it does not hold yet)."""
        held = {f.name for f in self.files}
        return Bundle(self.files + tuple(f for f in extra if f.name not in held), self.skipped, self.borrowed)

    def borrowed_names(self):
        """The names of the files taken from deployed versions."""
        return {name for b in self.borrowed for name in b.files}


def kind_of(name):
    """``bpmn``, ``dmn`` or ``json`` by the file name's ending; ``None`` for anything else."""
    lower = name.lower()
    return next((kind for suffix, kind in _SUFFIXES if lower.endswith(suffix)), None)


def base_name(name):
    return PurePosixPath((name or "").replace("\\", "/")).name


def single(data, name="diagram.bpmn"):
    """A bundle of one BPMN document (bytes or str)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Bundle((BundleFile(base_name(name) or "diagram.bpmn", BPMN, raw),))


def from_files(pairs, *, max_files=MAX_FILES, max_total=MAX_TOTAL_BYTES):
    """A bundle of uploaded ``(file name, bytes)`` pairs; a ``.zip`` among them is opened.

    :raises DeployError: no BPMN or DMN file, two files of one name, too many or too large,
        naming the file
    """
    files, skipped, total = [], [], 0
    for name, data in pairs:
        if base_name(name).lower().endswith(".zip"):
            inner = from_zip(data, max_files=max_files, max_total=max_total, name=base_name(name),
                             spent=total, at_least=())
            for file in inner.files:
                _add(files, skipped, file.name, file.data)
            skipped.extend(inner.skipped)
            total += sum(len(f.data) for f in inner.files)
            continue
        total += len(data)
        _add(files, skipped, name, data)
    return _checked(files, skipped, total, max_files, max_total)


def from_zip(data, *, max_files=MAX_FILES, max_total=MAX_TOTAL_BYTES, name="upload.zip", spent=0,
             at_least=(BPMN, DMN)):
    """The bundle a zip holds; folders inside it are flattened to file names.

    Read with care: sizes are checked from what is actually inflated, not from the
    zip's own directory, and at most ``max_total`` bytes are ever inflated.

    :param name: the zip's name, in messages
    :param spent: bytes of the upload's other files, counted against ``max_total``
    :param at_least: kinds one of which the zip must hold (none: it is part of an upload)
    :raises DeployError: not a zip, encrypted, too many or too large files, naming the file
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refused(name, f"{name} is not a readable zip file", "not_zip") from None
    files, skipped, total = [], [], spent
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir() and not _ignored(i.filename)]
        if len(entries) > max_files:
            raise _refused(name, f"{name} holds {len(entries)} files; at most {max_files} are deployed "
                                 "at once", "too_many")
        for info in entries:
            if info.flag_bits & 0x1:
                raise _refused(info.filename, f"{info.filename} is encrypted in {name}; zip it without a "
                                              "password", "encrypted")
            if kind_of(info.filename) is None:
                skipped.append(base_name(info.filename))
                continue
            try:
                with archive.open(info) as stream:
                    content = stream.read(max(max_total - total, 0) + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
                message = f"{info.filename} cannot be read from {name}: {error}"
                raise _refused(info.filename, message, "unreadable_entry") from None
            total += len(content)
            if total > max_total:
                entry = base_name(info.filename)
                raise _refused(entry, f"{entry} in {name} takes the upload's files to more than "
                                      f"{max_total:,} bytes", "too_large")
            _add(files, skipped, info.filename, content)
    return _checked(files, skipped, total - spent, max_files, max_total - spent, at_least)


def _ignored(path):
    return path.startswith(_IGNORED[0]) or any(part.startswith(_IGNORED[1])
                                               for part in PurePosixPath(path).parts)


def _refused(element, message, code):
    """The refusal of an upload; ``code`` says which (a page words it in its reader's language)."""
    return DeployError(message, [{"element": element, "message": message, "code": code}])


def _add(files, skipped, name, data):
    short, kind = base_name(name), kind_of(name)
    if kind is None:
        skipped.append(short)
        return
    if len(short) > MAX_NAME:
        raise _refused(short[:MAX_NAME], f"{short[:40]}... has a name of {len(short)} characters; at most "
                                         f"{MAX_NAME} are kept", "long_name")
    if any(f.name == short for f in files):
        raise _refused(short, f"two files are named {short}; diagrams name files without folders, so each "
                              "name may come once", "same_name")
    files.append(BundleFile(short, kind, data))


def _checked(files, skipped, total, max_files, max_total, at_least=(BPMN, DMN)):
    if len(files) > max_files:
        raise _refused("upload", f"the upload holds {len(files)} files; at most {max_files} are deployed "
                                 "at once", "too_many")
    if total > max_total:
        raise _refused("upload", f"the upload's files come to more than {max_total:,} bytes", "too_large")
    if at_least and not any(f.kind in at_least for f in files):
        raise _refused("upload", "the upload holds no .bpmn or .dmn file", "no_model")
    return Bundle(tuple(files), tuple(skipped))

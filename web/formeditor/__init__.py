"""The form editor (docs/forms.md "Forms travel with the process"): a user-task form's JSON
Schema and UI schema with a live preview in each language, read from a deployed process's
latest version or from the shipped defaults, or uploaded (:mod:`.pages`); and deploying
the edited form with the processes that show it, as a new version of each (:mod:`.deploy`).

:raise 403: anyone but a process owner or an admin
"""
from . import deploy, pages  # noqa: F401 - each adds its routes to the blueprint
from .editor import bp

__all__ = ["bp"]

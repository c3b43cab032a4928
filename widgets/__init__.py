"""Authoring widgets for the Voilà workbenches, imported as ``imaginecole.widgets``.

Never ``import widgets`` bare: the folder is mapped into the ``imaginecole``
package by setuptools ``package-dir``.
"""

from pathlib import Path


def widget_module(name: str) -> str:
    """The ES module of an anywidget: dom_helpers.js (the helpers every widget module uses),
    then the widget's own file `name`, both from this folder."""
    here = Path(__file__).parent
    return (here / "dom_helpers.js").read_text("utf-8") + "\n" + (here / name).read_text("utf-8")

"""Authoring widgets for the Voilà workbenches, imported as ``imaginecole.widgets``.

Never ``import widgets`` bare: the folder is mapped into the ``imaginecole``
package by setuptools ``package-dir``.
"""

"""The scenarios shipped with govsim: installed as the package ``govsim.shipped``.

``pyproject.toml`` maps ``govsim.shipped`` onto this directory, so a wheel carries every
``*.toml`` here as package data and an editable install reads them in place; either way
``govsim.scenario.catalogue`` finds them with ``importlib.resources`` (``govsim scenarios``
lists them, ``govsim compare district`` runs one by name). This file holds no code: the
package needs it so that an editable install can import it from here.
"""

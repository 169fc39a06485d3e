"""``python -m govsim.cli``: the ``govsim`` command."""

import sys

from govsim.cli import main

sys.exit(main())

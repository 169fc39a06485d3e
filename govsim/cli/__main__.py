"""``python -m govsim.cli``: the ``govsim`` command."""

import sys

from govsim.cli.command import main

sys.exit(main())

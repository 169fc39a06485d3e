"""``python -m govsim.cli``: the ``govsim`` command."""

import sys

from govsim.cli.main import main

sys.exit(main())

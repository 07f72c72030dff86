"""``python -m helpers.data [--forks JSON]``: write the panel (see :func:`helpers.data.panel.main`)."""

import sys

from helpers.data.panel import main

sys.exit(main())

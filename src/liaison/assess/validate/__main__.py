"""``python -m liaison.assess.validate``."""

import sys

from .cli import main

sys.exit(main())

"""``python -m contactsim`` works like the ``contactsim`` command."""

import sys

from .cli import main

sys.exit(main())

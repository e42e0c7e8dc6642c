import sys

from xzcore.cli import main

sys.exit(main())

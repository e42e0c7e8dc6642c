import sys

from xzcore.cli.main import main

sys.exit(main())

import sys

from mseed_multilingual.cli import main

sys.exit(main())

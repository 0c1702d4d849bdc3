"""What the packaged app runs: the launcher picks the desktop reader or the command line."""

from fieldreader.launcher import main

raise SystemExit(main())

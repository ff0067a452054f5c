"""python -m jobs: the mentor-sync command, for cron lines that start it through Python."""

from jobs.cli import main

main()

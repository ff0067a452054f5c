"""The pure core of mentor-sync: intake, matching and the committee tab.

Nothing in this package touches files, spreadsheets, mail or the clock: data
comes in as plain values and goes out as plain values.
"""

"""Operating-system integration that is not Qt: starting at login, the command that starts us.

Every module here takes the platform's facts (home folder, environment, a
registry accessor, whether we are frozen) as arguments, so the Windows and
macOS logic runs in tests on Linux against fakes of those facts. Qt-free.
"""

#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.folders import ensure_var_folders

    ensure_var_folders()  # SQLite, cache, broker and static folders; settings make none
    execute_from_command_line(sys.argv)

#!/usr/bin/env python3
"""The anchor of the cleanup benchmark: the SDK's own cleanup example logic
(clearml/examples/services/cleanup: Task.get_tasks of the archived tasks, page by page,
then task.delete(delete_artifacts_and_models=True) for each).

usage: cleanup_sdk.py PROJECT
"""
import sys

from clearml import Task

project = sys.argv[1]
deleted = 0
while True:
    tasks = Task.get_tasks(
        project_name=project,
        task_filter={"system_tags": ["archived"], "page_size": 100, "page": 0,
                     "order_by": ["-last_update"]},
    )
    if not tasks:
        break
    for t in tasks:
        t.delete(delete_artifacts_and_models=True, skip_models_used_by_other_tasks=True,
                 raise_on_error=False)
        deleted += 1
print(deleted)

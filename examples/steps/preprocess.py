"""Step 2 of ml-training-pipeline.toml: clean the rows fetch_data produced.

`Args/input` is the URL of fetch_data's `data` artifact (on the file server); the rows with
x outside [0.5, 9.5] are dropped and the rest kept as this step's own `data` artifact.
"""

import csv
import os
import tempfile

from clearml import StorageManager, Task

task = Task.init(project_name="ResearchHub", task_name="preprocess")
args = {"input": "", "parent": ""}
task.connect(args, name="Args")

local = StorageManager.get_local_copy(args["input"])
with open(local, newline="") as f:
    rows = [r for r in csv.DictReader(f) if 0.5 <= float(r["x"]) <= 9.5]

path = os.path.join(tempfile.mkdtemp(), "clean.csv")
with open(path, "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=["x", "y"])
    out.writeheader()
    out.writerows(rows)

task.get_logger().report_single_value("rows kept", len(rows))
task.upload_artifact("data", artifact_object=path, wait_on_upload=True)
print(f"kept {len(rows)} rows of the data from step {args['parent']}")

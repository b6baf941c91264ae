"""Step 1 of ml-training-pipeline.toml: fetch the raw data.

`Args/source` names the data set. So that the example runs anywhere, this step makes a
small synthetic one (y = 3x + 2 plus noise) and keeps it as the artifact `data`, which the
next step reads through `${fetch_data.artifacts.data.url}`.
"""

import csv
import os
import random
import tempfile

from clearml import Task

task = Task.init(project_name="ResearchHub", task_name="fetch_data")  # under an agent: the step
args = {"source": "s3://bucket/raw.csv", "rows": "200"}
task.connect(args, name="Args")

rng = random.Random(42)
path = os.path.join(tempfile.mkdtemp(), "raw.csv")
with open(path, "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["x", "y"])
    for _ in range(int(args["rows"])):
        x = rng.uniform(0, 10)
        out.writerow([f"{x:.4f}", f"{3 * x + 2 + rng.gauss(0, 1):.4f}"])

task.upload_artifact("data", artifact_object=path, wait_on_upload=True)
print(f"fetched {args['rows']} rows for {args['source']}")

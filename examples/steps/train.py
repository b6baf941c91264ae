"""Step 3 of ml-training-pipeline.toml: fit y = a*x + b to preprocess's rows.

Plain gradient descent (no third-party packages, so any agent runs it); the loss of each
epoch is a scalar of the task, the fitted line its `model` artifact.
"""

import csv

from clearml import StorageManager, Task

task = Task.init(project_name="ResearchHub", task_name="train")
args = {"data": "", "epochs": "60", "lr": "0.01"}
task.connect(args, name="Args")

with open(StorageManager.get_local_copy(args["data"]), newline="") as f:
    points = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f)]

a, b, lr, n = 0.0, 0.0, float(args["lr"]), len(points)
logger = task.get_logger()
for epoch in range(int(args["epochs"])):
    grad_a = sum(2 * (a * x + b - y) * x for x, y in points) / n
    grad_b = sum(2 * (a * x + b - y) for x, y in points) / n
    a, b = a - lr * grad_a, b - lr * grad_b
    loss = sum((a * x + b - y) ** 2 for x, y in points) / n
    logger.report_scalar("loss", "train", value=loss, iteration=epoch)

task.upload_artifact("model", artifact_object={"a": a, "b": b}, wait_on_upload=True)
print(f"fitted y = {a:.3f}x + {b:.3f}, loss {loss:.3f}")

# Debug samples for the web UI's viewer (issue 25, missing 5): the real SDK's
# report_image over 12 iterations, each image 24 + iteration pixels high so a page's image
# tells its iteration. One series keeps every iteration's file (max_image_history=-1); one
# keeps 5 files (reused in turn), so only its last 5 iterations are valid samples. Names
# are German, Russian and Chinese, with markup.
# Prints {"task": id, "project": id, "metrics": [...], "variants": [...]} as JSON.
import json

import numpy as np
from clearml import Task

task = Task.init(project_name="Proben Образцы 样本", task_name="Bilder картинки 图片",
                 reuse_last_task_id=False, auto_connect_frameworks=False,
                 auto_resource_monitoring=False)
log = task.get_logger()
every = ("Eingabe входы 输入 <b>tag</b>", "Bild 图 <i>not italic</i>")
recent = ("Masken маски", "maske")
for i in range(12):
    image = np.full((24 + i, 40, 3), 20 * i, dtype=np.uint8)
    log.report_image(every[0], every[1], iteration=i, image=image, max_image_history=-1)
    log.report_image(recent[0], recent[1], iteration=i, image=image, max_image_history=5)
    if i == 6:
        # The SDK uploads from a pool: iteration 4's and 9's file (the same name, the
        # 5-file series reuses it) could land in either order, and the file of 4 then
        # showed at 9 (seen once in a full run). Everything up to 6 is stored before 7 to
        # 11 (each its own file) overwrite it.
        log.flush(wait=True)
        task.flush(wait_for_uploads=True)
log.flush(wait=True)
task.flush(wait_for_uploads=True)
task.close()
print(json.dumps({"task": task.id, "project": task.project,
                  "metrics": [every[0], recent[0]], "variants": [every[1], recent[1]]}))

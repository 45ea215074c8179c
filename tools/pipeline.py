"""The main job: every stage from image-level labels to a segmentation model.

    python tools/pipeline.py [--data-root DIR] [--work-dir DIR] [--from STAGE]

With no arguments it writes the synthetic toy set into the work dir and runs
every stage on it. The stages are the table ``seenet_mm.pipeline.STAGES``
(``--help`` lists them; docs/pipeline.md). A finished stage is skipped on
rerun; a killed training resumes from its last checkpoint. With --compare
it runs the attention chain for each mode of the paper's Table 1 and each
--seeds value, side by side in compare.md / compare.json.
"""
from seenet_mm.pipeline import main

if __name__ == '__main__':
    main()

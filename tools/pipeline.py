"""The main job: run the stages that exist, each through its own tool.

    python tools/pipeline.py [--data-root DIR] [--work-dir DIR] [--from STAGE]

With no arguments it writes the synthetic toy set into the work dir and runs
every stage on it:

    data            tools/make_toy_dataset.py      (skipped with --data-root)
    attention       tools/train.py SEENET_CONFIG   (SeeNet, resumable)
    attention_test  tools/test.py SEENET_CONFIG CKPT   (val multi-label mAP)
    maps            tools/infer_attention.py       (train split, resumable)
    labels          tools/make_proxy_labels.py     (resumable)
    quality         tools/eval_seeds.py            (seed and label mIoU on
                                                    the train split's masks)
    gallery         tools/make_gallery.py
    segmentation    tools/train.py LARGEFOV_CONFIG (on the proxy labels)
    segmentation_test  tools/test.py: single scale, --tta, --crf (val mIoU)

A finished stage is skipped on rerun; a killed training resumes from its
last checkpoint (mmengine replays the data order, so the results equal an
uninterrupted run's).

With --compare it runs, instead, the attention chain (training, val mAP,
maps, proxy labels, quality) for each mode of the paper's Table 1 (cam,
acol, seenet-noflip, seenet) and each --seeds value, and reports them side
by side in compare.md / compare.json. The final table is printed and written to
``report.json`` / ``report.md`` in the work dir.

The stages, their state and reports live in :mod:`seenet_mm.pipeline`.
"""
from seenet_mm.pipeline import main

if __name__ == '__main__':
    main()

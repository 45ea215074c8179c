"""Cue or nearness on a set with context masks: per distance band from the
objects, context against plain background among T_A's zones and in M_A /
M_B; seeds from M_A alone, M_B alone and their fusion.

    python tools/analysis_tools/context_nearness.py CONFIG CKPT \
        --data-root VOC2012_DIR --out nearness.json [--size 112]

The code is ``seenet_mm.apis.context_analysis``.
"""
from seenet_mm.apis.context_analysis import main

if __name__ == '__main__':
    main()

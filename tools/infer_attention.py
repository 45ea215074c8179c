"""Attention maps of a trained SeeNet for every image of a split.

``python tools/infer_attention.py --help`` lists the options;
the code is ``seenet_mm.apis.attention_maps``.
"""
from seenet_mm.apis.attention_maps import main

if __name__ == '__main__':
    main()

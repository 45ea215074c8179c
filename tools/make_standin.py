"""Make the toy stand-in for ImageNet weights (once per machine).

``python tools/make_standin.py --help`` lists the options;
the code is ``seenet_mm.pipeline.toy_data``.
"""
from seenet_mm.pipeline.toy_data import standin_main as main

if __name__ == '__main__':
    main()

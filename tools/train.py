"""Train a model of a config (mmseg's arguments).

``python tools/train.py --help`` lists the options;
the code is ``seenet_mm.apis.training``.
"""
from seenet_mm.apis.training import main

if __name__ == '__main__':
    main()

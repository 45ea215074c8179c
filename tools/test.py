"""Test a checkpoint (mmseg's arguments).

``python tools/test.py --help`` lists the options;
the code is ``seenet_mm.apis.testing``.
"""
from seenet_mm.apis.testing import main

if __name__ == '__main__':
    main()

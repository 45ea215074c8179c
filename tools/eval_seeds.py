"""Quality of attention maps and proxy labels against the ground truth.

``python tools/eval_seeds.py --help`` lists the options;
the code is ``seenet_mm.apis.seed_quality``.
"""
from seenet_mm.apis.seed_quality import main

if __name__ == '__main__':
    main()

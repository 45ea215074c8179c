"""Write the synthetic toy set.

``python tools/make_toy_dataset.py --help`` lists the options;
the code is ``seenet_mm.pipeline.toy_data``.
"""
from seenet_mm.pipeline.toy_data import toy_dataset_main as main

if __name__ == '__main__':
    main()

"""Proxy labels refined by IRN's random walk over the boundary map of a
trained affinity network.

``python tools/refine_labels.py --help`` lists the options;
the code is ``seenet_mm.apis.refinement``.
"""
from seenet_mm.apis.refinement import main

if __name__ == '__main__':
    main()

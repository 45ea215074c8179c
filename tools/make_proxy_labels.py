"""Proxy labels from attention and saliency maps (SeeNet Algorithm 1), or
from the attention maps alone.

``python tools/make_proxy_labels.py --help`` lists the options;
the code is ``seenet_mm.apis.proxy_labels``.
"""
from seenet_mm.apis.proxy_labels import main

if __name__ == '__main__':
    main()

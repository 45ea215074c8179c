"""Gallery of N images: image | M_A | M_B | fused | proxy label | GT.

``python tools/make_gallery.py --help`` lists the options;
the code is ``seenet_mm.apis.gallery``.
"""
from seenet_mm.apis.gallery import main

if __name__ == '__main__':
    main()

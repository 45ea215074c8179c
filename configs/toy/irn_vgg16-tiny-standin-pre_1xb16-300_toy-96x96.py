# IRN's affinity network on the toy set: the boundary head learns from the
# confident seeds (tools/make_proxy_labels.py --method threshold --crf;
# tools/pipeline.py passes its own folder) on the frozen backbone of the
# toy stand-in for ImageNet weights (`standin://vgg16-tiny`), as IRN's head
# learns on a frozen ImageNet backbone. The backbone is the toy attention
# configs' VGG16 x0.25 (output stride 8), tapped after each of its 5
# stages. IRN: crop 512, batch 32, 3 epochs, lr 0.1, poly; here 96x96 crops
# of the toy images, batch 16, 300 iterations (12 epochs of the 400 train
# images), lr 0.1, poly, and links of radius 5 (IRN: 10). Everything else
# as configs/irn/irn_vgg16_1xb32-3e_voc12aug-512x512.py.
_base_ = ['../_base_/models/irn_vgg16-tiny-standin-pre.py',
          '../_base_/datasets/toy_seeds.py',
          '../_base_/schedules/irn_toy_300.py',
          '../_base_/default_runtime.py']

"""File formats shared by the stages (see DESIGN.md, "contract")."""

# <name>.npz written by tools/infer_attention.py
ATTENTION_KEYS = ('classes', 'attention')  # + 'ori_shape' (H, W)
